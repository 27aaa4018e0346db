from __future__ import annotations

import re

import pytest

from waypost.notebook import Identity, apply_identity, is_valid_ulid, parse, serialize

ULID = r"[0-7][0-9A-HJKMNP-TV-Z]{25}"


def fmt(data: str, mode: Identity) -> str:
    return serialize(apply_identity(parse(data), mode)).decode()


def test_unspecified_identity_changes_nothing() -> None:
    doc = "# T\n\n```sh\necho\n```\n"
    assert fmt(doc, Identity.UNSPECIFIED) == doc


def test_cell_identity_adds_an_id_to_each_code_fence_only() -> None:
    out = fmt('# T\n\n```sh\necho\n```\n\n```js {"name":"x"}\nlog()\n```\n', Identity.CELL)
    assert re.fullmatch(
        rf'# T\n\n```sh {{"id":"{ULID}"}}\necho\n```\n\n```js {{"name":"x","id":"{ULID}"}}\nlog\(\)\n```\n',
        out,
    )


def test_cell_identity_keeps_existing_ids_valid_or_not() -> None:
    doc = '```sh {"id":"01HF7BT3HD84GWTQB8ZCWPH803"}\necho\n```\n\n```sh { name=foo id=123 }\nx\n```\n'
    assert fmt(doc, Identity.CELL) == doc


def test_cell_identity_is_idempotent() -> None:
    once = fmt("```sh\necho\n```\n", Identity.CELL)
    assert fmt(once, Identity.CELL) == once


def test_in_memory_id_becomes_the_persisted_id() -> None:
    notebook = parse("```sh\necho\n```\n")
    in_memory = notebook.code_cells[0].id
    assert apply_identity(notebook, Identity.CELL).code_cells[0].attributes["id"] == in_memory


def test_document_identity_creates_yaml_frontmatter() -> None:
    out = fmt("# T\n", Identity.DOCUMENT)
    assert re.fullmatch(rf"---\nrunme:\n  id: {ULID}\n  version: v3\n---\n\n# T\n", out)


def test_document_identity_keeps_comments_and_key_order() -> None:
    doc = "---\n# owner\nzeta: 1\nalpha: 2\n---\n\n# T\n"
    out = fmt(doc, Identity.DOCUMENT)
    assert out.startswith("---\n# owner\nzeta: 1\nalpha: 2\nrunme:\n  id: ")
    assert out.endswith("  version: v3\n---\n\n# T\n")


def test_document_identity_keeps_a_valid_id() -> None:
    doc = "---\nrunme:\n  id: 01HF7BT3HCDS1X1WJJHAG7S8YG\n  version: v3\n---\n\n# T\n"
    assert fmt(doc, Identity.ALL) == doc


def test_document_identity_replaces_an_invalid_id_in_place() -> None:
    out = fmt("---\ntitle: x\nrunme:\n  id: 123\n  version: v2\n---\n", Identity.DOCUMENT)
    assert re.fullmatch(rf"---\ntitle: x\nrunme:\n  id: {ULID}\n  version: v2\n---\n", out)


@pytest.mark.parametrize(
    ("doc", "pattern"),
    [
        ("+++\ntitle = 'x'\n+++\n", rf'\+\+\+\ntitle = \'x\'\n\[runme\]\nid = "{ULID}"\nversion = "v3"\n\+\+\+\n'),
        ('{\n  "title": "x"\n}\n', rf'\{{\n  "title": "x",\n  "runme": \{{\n    "id": "{ULID}",\n    "version": "v3"\n  \}}\n\}}\n'),
    ],
)  # fmt: skip
def test_document_identity_in_toml_and_json_frontmatter(doc: str, pattern: str) -> None:
    assert re.fullmatch(pattern, fmt(doc, Identity.DOCUMENT))


def test_document_identity_leaves_unparseable_frontmatter_alone() -> None:
    doc = "+++\ndate = {{ .Date }}\n+++\n\n# T\n"
    assert fmt(doc, Identity.DOCUMENT) == doc


def test_ulid_validity() -> None:
    assert is_valid_ulid("01HF7BT3HD84GWTQB8ZCWPH803")
    assert not is_valid_ulid("01hf7bt3hd84gwtqb8zcwph803")
    assert not is_valid_ulid("81HF7BT3HD84GWTQB8ZCWPH803")  # overflows 128 bits
    assert not is_valid_ulid("123")


def test_identity_names() -> None:
    assert Identity.from_name("doc") is Identity.DOCUMENT
    with pytest.raises(ValueError, match="unknown identity"):
        Identity.from_name("cells")


def test_generated_ids_are_ulids_of_now_in_increasing_order() -> None:
    import time

    from ulid import ULID

    from waypost.notebook import new_ulid, new_ulids

    ids = [new_ulid(), *new_ulids(5000), new_ulid()]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for ident in ids[::1000]:
        assert is_valid_ulid(ident)
        assert abs(ULID.from_str(ident).timestamp - time.time()) < 60
