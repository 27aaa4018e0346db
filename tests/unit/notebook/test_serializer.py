from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CONFORMANCE, FORMAT_FIXTURES, markdown_files
from waypost.notebook import Cell, CellKind, parse, serialize

FIXTURES = markdown_files(FORMAT_FIXTURES)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_unchanged_fixture_round_trips_byte_for_byte(path: Path) -> None:
    data = path.read_bytes()
    assert serialize(parse(data)) == data


def test_every_conformance_and_corpus_file_round_trips_byte_for_byte() -> None:
    files = markdown_files(CONFORMANCE)
    assert len(files) > 700
    broken = [str(p) for p in files if serialize(parse(p.read_bytes())) != p.read_bytes()]
    assert broken == []


def edit(data: str, index: int, **changes) -> str:
    notebook = parse(data)
    cell = notebook.code_cells[index]
    position = notebook.cells.index(cell)
    attributes = changes.pop("attributes", None)
    if attributes is not None:
        cell = cell.with_attributes(**attributes)
    if "value" in changes:
        cell = cell.with_value(changes["value"])
    if "language" in changes:
        from dataclasses import replace

        cell = replace(cell, language=changes["language"])
    return serialize(notebook.replace_cell(position, cell)).decode()


def test_changing_json_attributes_rewrites_only_the_info_string() -> None:
    doc = '# T\n\n```sh {"name":"a"}\necho a\n```\n\nafter\n'
    assert edit(doc, 0, attributes={"interactive": "false"}) == (
        '# T\n\n```sh {"name":"a","interactive":"false"}\necho a\n```\n\nafter\n'
    )


def test_changing_html_attributes_keeps_the_html_style() -> None:
    doc = "```sh { name=date interactive=false }\ndate\n```\n"
    assert edit(doc, 0, attributes={"interactive": "true"}) == (
        "```sh { name=date interactive=true }\ndate\n```\n"
    )


def test_other_words_of_the_info_string_survive_an_attribute_change() -> None:
    doc = '```py title="x.py" {"name":"py"}\nprint(1)\n```\n'
    assert (
        edit(doc, 0, attributes={"name": "p2"})
        == '```py title="x.py" {"name":"p2"}\nprint(1)\n```\n'
    )


def test_non_string_json_values_are_written_back_as_they_were() -> None:
    doc = '```js {"interactive":false,"n":3}\nx\n```\n'
    assert edit(doc, 0, attributes={"name": "j"}) == (
        '```js {"interactive":false,"n":3,"name":"j"}\nx\n```\n'
    )


def test_removing_the_last_attribute_drops_the_block() -> None:
    assert (
        edit('```sh {"name":"a"}\necho\n```\n', 0, attributes={"name": None})
        == "```sh\necho\n```\n"
    )


def test_adding_attributes_to_a_bare_fence() -> None:
    assert (
        edit("```sh\necho\n```\n", 0, attributes={"name": "x"}) == '```sh {"name":"x"}\necho\n```\n'
    )


def test_changing_the_body_keeps_fence_and_info() -> None:
    doc = '~~~sh {"name":"t"}\necho a\n~~~\n\nafter\n'
    assert (
        edit(doc, 0, value="echo b\necho c") == '~~~sh {"name":"t"}\necho b\necho c\n~~~\n\nafter\n'
    )


def test_a_body_with_backticks_gets_a_longer_fence() -> None:
    out = edit("```md\nplain\n```\n", 0, value="```sh\nnested\n```")
    assert out == "````md\n```sh\nnested\n```\n````\n"
    assert parse(out).code_cells[0].value == "```sh\nnested\n```"


def test_changing_the_language_touches_only_the_info_string() -> None:
    assert edit('```sh {"name":"a"}\necho\n```\n', 0, language="bash") == (
        '```bash {"name":"a"}\necho\n```\n'
    )


def test_edits_inside_a_list_keep_the_indentation() -> None:
    doc = "1. Step\n\n   ```sh\n   echo one\n   ```\n\n2. Next\n"
    assert edit(doc, 0, value="echo one\necho two") == (
        "1. Step\n\n   ```sh\n   echo one\n   echo two\n   ```\n\n2. Next\n"
    )


def test_edits_inside_a_block_quote_keep_the_markers() -> None:
    doc = "> quote\n>\n> ```sh\n> echo a\n> ```\n"
    assert edit(doc, 0, value="echo b") == "> quote\n>\n> ```sh\n> echo b\n> ```\n"


def test_edits_keep_crlf_line_endings() -> None:
    doc = "# T\r\n\r\n```sh\r\necho a\r\n```\r\n"
    assert edit(doc, 0, value="echo a\necho b") == "# T\r\n\r\n```sh\r\necho a\r\necho b\r\n```\r\n"


def test_editing_an_indented_block_keeps_it_indented() -> None:
    doc = "Para\n\n    echo a\n\nafter\n"
    assert edit(doc, 0, value="echo b") == "Para\n\n    echo b\n\nafter\n"


def test_editing_an_unclosed_fence_closes_it() -> None:
    assert (
        edit("```sh\necho a", 0, value="echo b") == "```sh\necho b\n```"
    )  # no final newline, as before


def new_code(value: str, language: str = "sh", **attributes: str) -> Cell:
    return Cell(CellKind.CODE, value, language=language, attributes=attributes)


def test_inserting_a_cell_keeps_its_neighbours_intact() -> None:
    doc = "# T\n\n```sh\necho a\n```\n\nafter\n"
    notebook = parse(doc)
    out = serialize(notebook.insert_cells(2, [new_code("echo new", name="n")])).decode()
    assert out == '# T\n\n```sh\necho a\n```\n\n```sh {"name":"n"}\necho new\n```\n\nafter\n'


def test_appending_to_a_file_without_final_newline() -> None:
    notebook = parse("# T\n\n```sh\necho a\n```")
    out = serialize(notebook.insert_cells(2, [Cell(CellKind.MARKUP, "Done.")])).decode()
    assert out == "# T\n\n```sh\necho a\n```\n\nDone.\n"


def test_inserting_at_the_start_and_into_an_empty_document() -> None:
    assert serialize(parse("").insert_cells(0, [new_code("echo")])).decode() == "```sh\necho\n```\n"
    out = serialize(parse("# T\n").insert_cells(0, [Cell(CellKind.MARKUP, "Intro")])).decode()
    assert out == "Intro\n\n# T\n"


def test_deleting_a_cell_keeps_its_neighbours_intact() -> None:
    doc = "# T\n\n```sh\necho a\n```\n\nafter\n"
    assert serialize(parse(doc).delete_cell(1)).decode() == "# T\n\nafter\n"
    assert serialize(parse(doc).delete_cell(2)).decode() == "# T\n\n```sh\necho a\n```\n"


def test_moving_cells_separates_them_with_blank_lines() -> None:
    notebook = parse("A\n\nB\n\nC\n")
    a, b, c = notebook.cells
    assert serialize(notebook.with_cells([c, a, b])).decode() == "C\n\nA\n\nB\n"


def test_editing_markup_rewrites_only_that_cell() -> None:
    notebook = parse("# T\n\nold text\n\n```sh\necho\n```\n")
    out = serialize(notebook.replace_cell(1, notebook.cells[1].with_value("new text"))).decode()
    assert out == "# T\n\nnew text\n\n```sh\necho\n```\n"
