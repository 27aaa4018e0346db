from __future__ import annotations

from waypost.notebook.frontmatter import set_runme_fields, split_frontmatter


def test_yaml_frontmatter_ends_at_the_closing_line() -> None:
    fm, end = split_frontmatter("---\na: 1\n---\n\nbody")
    assert fm is not None and fm.raw == "---\na: 1\n---" and fm.data == {"a": 1} and end == 12


def test_unclosed_delimiter_is_not_frontmatter() -> None:
    assert split_frontmatter("---\na: 1\n\nbody\n") == (None, 0)


def test_single_dash_or_plus_is_not_frontmatter() -> None:
    assert split_frontmatter("- item\n")[0] is None
    assert split_frontmatter("+ item\n")[0] is None


def test_templates_and_scissors_are_not_frontmatter() -> None:
    for text in ("{{ .Title }}\n", "{% include x %}\n", "--8<-- 'x.md'\n"):
        assert split_frontmatter(text)[0] is None


def test_brace_that_is_not_json_is_content() -> None:
    assert split_frontmatter("{/* MDX comment */}\n# T\n")[0] is None


def test_yaml_dates_stay_strings() -> None:
    fm, _ = split_frontmatter("---\ndate: 2024-01-02\n---\n")
    assert fm is not None and fm.data == {"date": "2024-01-02"}


def test_invalid_yaml_names_the_line() -> None:
    fm, _ = split_frontmatter("---\na: 1\nb: [unclosed\n---\n")
    assert fm is not None and fm.data is None and (fm.error or "").startswith("line ")


def test_session_fields_are_nested_under_runme() -> None:
    fm, _ = split_frontmatter("---\ntitle: x\n---\n")
    out = set_runme_fields(fm, {"session.id": "S1", "document.relativePath": "a.md"}, "\n")
    assert out.runme == {"session": {"id": "S1"}, "document": {"relativePath": "a.md"}}
    assert out.raw.startswith("---\ntitle: x\nrunme:\n")


def test_editing_keeps_crlf() -> None:
    fm, _ = split_frontmatter("---\r\ntitle: x\r\n---\r\n")
    out = set_runme_fields(fm, {"id": "01HF7BT3HCDS1X1WJJHAG7S8YG"}, "\r\n")
    assert out.raw == "---\r\ntitle: x\r\nrunme:\r\n  id: 01HF7BT3HCDS1X1WJJHAG7S8YG\r\n---"
