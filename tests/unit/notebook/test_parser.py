from __future__ import annotations

import pytest

from tests.conftest import FORMAT_FIXTURES, RUNME_FIXTURES
from waypost.notebook import CellKind, parse


def code(data: str | bytes):
    return parse(data).code_cells


def test_nested_input_yields_runmes_twelve_cells() -> None:
    notebook = parse((RUNME_FIXTURES / "inline" / "nested.input.md").read_bytes())
    assert [c.value for c in notebook.cells] == [
        "# Examples",
        "It can have an annotation with a name:",
        '$ echo "Hello, runme!"',
        "bq 1\nbq 2",
        "echo 1",
        "b1 3",
        "1. Item 1",
        '$ echo "Hello, runme!"',
        "First inner paragraph",
        "Second inner paragraph",
        "2. Item 2",
        "3. Item 3",
    ]
    kinds = [c.kind for c in notebook.cells]
    assert kinds.count(CellKind.CODE) == 3


# (file, [(language, name, attributes)...]) as Runme reads them
RUNME_CODE_CELLS = {
    "hello.md": [
        (
            "sh",
            "id-present",
            {
                "id": "01HE2XR0Z3WD9A89XR5XA959QP",
                "interpreter": "bash",
                "name": "id-present",
                "terminalRows": "2",
            },
        ),
        (
            "sh",
            "id-missing",
            {
                "id": "01HF7BT3HBDTRGQAQMH6W35AGV",
                "interpreter": "bash",
                "name": "id-missing",
                "terminalRows": "2",
            },
        ),
    ],
    "ENABLED.md": [("sh", "export-env", {"id": "01HF7BT3HBDTRGQAQMHNSXB9K2"})],
    "RELATIVE.md": [
        ("sh", "relative-pwd", {"id": "01HF7BT3HCDS1X1WJJHS5YH0Y1", "name": "relative-pwd"}),
        (
            "sh",
            "relative-rel-pwd",
            {"cwd": "../", "id": "01HF7BT3HCDS1X1WJJHSYYJW0S", "name": "relative-rel-pwd"},
        ),
        (
            "sh",
            "relative-abs-pwd",
            {"cwd": "/opt", "id": "01HF7BT3HCDS1X1WJJHVP5TMAV", "name": "relative-abs-pwd"},
        ),
    ],
    "envs/README.md": [
        ("bash", "vars", {"id": "01HW167A4SWNJ0AQZGNZ1Z38XZ", "name": "vars", "promptEnv": "auto"}),
        ("bash", "vars2", {"id": "01HW1B541A9P8BVBJZJ4E1XV1F", "name": "vars2", "promptEnv": "no"}),
    ],
    "simple.dag": [("sh", "simple_dagger", {"name": "simple_dagger", "terminalRows": "18"})],
    "session-01HJS35FZ2K0JBWPVAXPMMVTGN.md": [
        ("sh", "iam-session", {"name": "iam-session", "id": "01HJS341EYAN1QPKK7D835C6FD"})
    ],
    "singlebslash.md": [
        (
            "sh",
            "curl-httpsapiuswest2grap",
            {"id": "01HFW6VKQX9B4ZJH9TFJYWDQJ8", "interactive": "false"},
        )
    ],
    "symbols.md": [("sh", "deno-install", {"id": "01HFW6VKQX9B4ZJH9TFF931FG7"})],
    "doublecode.md": [
        ("sh", "echo-hello", {"id": "01HFW6VKQYFGMC9MX7C4EGD3VJ"}),
        ("sh", "echo-foo", {"id": "01HFW6VKQYFGMC9MX7C79W55FF"}),
        ("sh", "yarn-global", {"id": "01HFW6VKQYFGMC9MX7C9YF97KH"}),
        ("sh", "node-scriptsstdinjs", {"id": "01HFW6VKQYFGMC9MX7CC0N65KT"}),
    ],
    "nested-code-block.md": [
        ("bash", "curl-httpsrunlinkerdioinst", {}),
        ("bash", "linkerd-install", {}),
        ("bash", "linkerd-dashboard", {}),
        ("bash", "kubectl-kustomize", {}),
        ("bash", "minikube-n", {}),
        ("", "a-", {}),
    ],
    "inline/attribute-formats.md": [
        ("sh", "date", {"name": "date", "interactive": "false"}),
        ("javascript", "iso", {"interactive": "false", "name": "iso"}),
    ],
    "inline/unfenced-with-spaces.md": [("", "export-testing", {}), ("", "dagger-call", {})],
    "inline/fenced-dagger.md": [("sh", "export-testing", {}), ("sh", "dagger-call", {})],
    "emphasis.md": [],
    "equalvshash.md": [],
    "nocodeblock.md": [],
}


@pytest.mark.parametrize("name", sorted(RUNME_CODE_CELLS))
def test_code_cells_match_what_runme_reads(name: str) -> None:
    cells = code((RUNME_FIXTURES / name).read_bytes())
    assert [(c.language, c.name, dict(c.attributes)) for c in cells] == RUNME_CODE_CELLS[name]


def test_readme_example_names_languages_and_ids() -> None:
    cells = code((RUNME_FIXTURES / "README.md").read_bytes())
    assert [c.name for c in cells] == [
        "echo-hello", "echo", "echo-1", "echo-hello-2", "tempdir", "echo-ok", "print-name",
        "hello-js", "package-main", "database", "a", "b", "c", "generate",
    ]  # fmt: skip
    assert [c.language for c in cells][7:10] == ["js", "go", "ini"]
    assert cells[0].id == "01HF7BT3HD84GWTQB8ZCWPH803"
    assert cells[-1].attributes == {"name": "generate"}


def test_cell_with_valid_id_attribute_has_that_identity() -> None:
    (cell,) = code('```sh {"id":"01HF7BT3HD84GWTQB8ZCWPH803"}\necho\n```\n')
    assert cell.id == "01HF7BT3HD84GWTQB8ZCWPH803"


def test_invalid_id_attribute_is_kept_but_not_used_as_identity() -> None:
    (cell,) = code("```sh { name=foo id=123 }\necho\n```\n")
    assert cell.attributes == {"name": "foo", "id": "123"}
    assert cell.id != "123" and len(cell.id or "") == 26


def test_unnamed_cells_get_runme_names_with_numbered_repeats() -> None:
    cells = code(
        '```sh\n$ echo "Hello, runme!"\n```\n\n```\n$ echo "Hello, runme!"\n```\n\n'
        "```sh\n# This is a pesky comment\necho Inferred\n```\n\n"
        '```sh {"name":"echo"}\necho\n```\n\n```sh\ntemp_dir=$(mktemp -d)\n```\n'
    )
    assert [(c.name, c.name_generated) for c in cells] == [
        ("echo-hello", True),
        ("echo-hello-2", True),
        ("echo-inferred", True),
        ("echo", False),
        ("tempdir", True),
    ]


def test_description_is_the_preceding_paragraph_with_runmes_ending() -> None:
    cells = code(
        "Run this first:\n\n```sh\necho a\n```\n\n# Heading\n\n```sh\necho b\n```\n\n"
        "Ends fine!\n\n```sh\necho c\n```\n"
    )
    assert [c.description for c in cells] == ["Run this first.", "", "Ends fine!"]


def test_mermaid_and_disabled_blocks_stay_markup() -> None:
    notebook = parse((FORMAT_FIXTURES / "mermaid-and-ignored.md").read_bytes())
    assert notebook.code_cells == []
    assert notebook.cells[0].value.startswith("```mermaid")


def test_explicit_transform_true_makes_mermaid_a_code_cell() -> None:
    (cell,) = code('```mermaid {"transform":"true"}\ngraph\n```\n')
    assert cell.language == "mermaid"


def test_indented_code_is_an_unfenced_code_cell() -> None:
    cells = code("Para\n\n    echo indented\n    echo two\n")
    assert [c.value for c in cells] == ["echo indented\necho two"]
    assert not cells[0].fenced


def test_code_inside_lists_and_block_quotes_becomes_cells() -> None:
    notebook = parse((FORMAT_FIXTURES / "code-in-lists-and-quotes.md").read_bytes())
    assert [c.value for c in notebook.code_cells] == ["echo one", "echo deep", "echo quoted"]
    assert notebook.code_cells[1].name == "deep"
    assert [c.value for c in notebook.cells if not c.is_code][:2] == ["1. First", "2. Second"]


def test_list_without_code_is_one_markup_cell() -> None:
    notebook = parse("1. Item 1\n2. Item 2\n3. Item 3\n")
    assert [c.value for c in notebook.cells] == ["1. Item 1\n2. Item 2\n3. Item 3"]


def test_json_attribute_values_that_are_not_strings_read_as_strings() -> None:
    (cell,) = code('```js {"interactive":false,"n":3,"o":{"a":"b"}}\nx\n```\n')
    assert cell.attributes == {"interactive": "false", "n": "3", "o": '{"a":"b"}'}


def test_html_style_attributes_and_invalid_json_fall_back_to_html() -> None:
    (a, b) = code(
        '```sh { name=date interactive=false }\ndate\n```\n\n```sh { name: "t" }\nx\n```\n'
    )
    assert a.attributes == {"name": "date", "interactive": "false"}
    assert b.attributes == {"name:": "", '"t"': ""}  # Runme's reading of `{ name: "t" }`


def test_language_is_empty_when_info_starts_with_attributes() -> None:
    (a, b) = code('```{"name":"x"}\necho\n```\n\n``` {"name":"y"}\necho\n```\n')
    assert (a.language, a.name, b.language, b.name) == ("", "x", "", "y")


def test_frontmatter_formats_are_recognised() -> None:
    for name, fmt in [("toml-frontmatter.md", "toml"), ("json-frontmatter.md", "json"),
                      ("frontmatter-comments-key-order.md", "yaml")]:  # fmt: skip
        notebook = parse((FORMAT_FIXTURES / name).read_bytes())
        assert notebook.frontmatter is not None and notebook.frontmatter.format == fmt
        assert notebook.frontmatter.error is None


def test_document_starting_with_a_list_item_has_no_frontmatter_and_keeps_its_cells() -> None:
    notebook = parse((FORMAT_FIXTURES / "list-starting-document.md").read_bytes())
    assert notebook.frontmatter is None
    assert [c.value for c in notebook.code_cells] == ["echo after list"]


def test_invalid_frontmatter_is_kept_with_the_reason() -> None:
    notebook = parse((FORMAT_FIXTURES / "invalid-frontmatter-kept.md").read_bytes())
    assert notebook.frontmatter is not None
    assert notebook.frontmatter.data is None
    assert "TOML" in (notebook.frontmatter.error or "")
    assert [c.value for c in notebook.code_cells] == ["echo hugo"]


def test_frontmatter_shell_and_cwd_are_readable() -> None:
    notebook = parse("---\nshell: zsh\ncwd: ../x\nskipPrompts: true\n---\n\n```sh\necho\n```\n")
    fm = notebook.frontmatter
    assert fm is not None and (fm.shell, fm.cwd, fm.skip_prompts) == ("zsh", "../x", True)


def test_spans_are_byte_offsets_of_each_cell() -> None:
    data = "# Привет\n\n```sh\necho é\n```\n".encode()
    notebook = parse(data)
    heading, cell = notebook.cells
    assert data[heading.span.start : heading.span.end] == "# Привет".encode()
    assert data[cell.span.start : cell.span.end] == "```sh\necho é\n```".encode()
    assert data[cell.text_range.start : cell.text_range.end] == "echo é".encode()


def test_spans_after_frontmatter_and_bom_count_their_bytes() -> None:
    data = b"\xef\xbb\xbf---\na: 1\n---\n\n```sh\necho\n```\n"
    (cell,) = parse(data).code_cells
    assert data[cell.span.start : cell.span.end] == b"```sh\necho\n```"


def test_unclosed_fence_runs_to_the_end() -> None:
    (cell,) = code("# T\n\n```sh\necho never closed\n\nmore")
    assert cell.value == "echo never closed\n\nmore"


def test_dollar_prompts_stay_in_the_value_but_not_in_lines() -> None:
    (cell,) = code("```sh\n$ echo hi  \n```\n")
    assert cell.value == "$ echo hi  "
    assert cell.lines == [" echo hi"]
