from __future__ import annotations

from waypost.notebook import CellKind, parse, serialize
from waypost.notebook.merge import IncomingCell, rebase

DOC = '# Title\n\nIntro  text\n\n```sh {"name":"a","interactive":"false"}\necho a\n```\n\n```sh\necho b\n```\n\nEnd\n'


def incoming_of(doc: str) -> list[IncomingCell]:
    return [
        IncomingCell(c.kind, c.value, c.language, dict(c.attributes), c.id or "")
        for c in parse(doc).cells
    ]


def test_same_cells_give_back_the_same_bytes() -> None:
    original = parse(DOC)
    cells = [
        IncomingCell(c.kind, c.value, c.language, dict(c.attributes), c.id or "")
        for c in original.cells
    ]
    assert serialize(rebase(original, cells)).decode() == DOC


def test_sorted_attribute_keys_do_not_rewrite_the_fence() -> None:
    original = parse(DOC)
    cells = [
        IncomingCell(c.kind, c.value, c.language, dict(sorted(c.attributes.items())), c.id or "")
        for c in original.cells
    ]
    assert serialize(rebase(original, cells)).decode() == DOC


def test_an_edited_code_cell_changes_only_its_body() -> None:
    original = parse(DOC)
    cells = [
        IncomingCell(c.kind, c.value, c.language, dict(c.attributes), c.id or "")
        for c in original.cells
    ]
    cells[3] = IncomingCell(CellKind.CODE, "echo B", "sh", {}, cells[3].id)
    assert serialize(rebase(original, cells)).decode() == DOC.replace("echo b", "echo B")


def test_an_edited_markup_cell_keeps_its_place() -> None:
    original = parse(DOC)
    cells = [
        IncomingCell(c.kind, c.value, c.language, dict(c.attributes), c.id or "")
        for c in original.cells
    ]
    cells[1] = IncomingCell(CellKind.MARKUP, "Better intro")
    assert serialize(rebase(original, cells)).decode() == DOC.replace("Intro  text", "Better intro")


def test_inserted_and_deleted_cells() -> None:
    original = parse(DOC)
    cells = [
        IncomingCell(c.kind, c.value, c.language, dict(c.attributes), c.id or "")
        for c in original.cells
    ]
    del cells[1]
    cells.insert(2, IncomingCell(CellKind.CODE, "echo new", "bash", {"name": "n"}))
    out = serialize(rebase(original, cells)).decode()
    assert out == (
        '# Title\n\n```sh {"name":"a","interactive":"false"}\necho a\n```\n\n'
        '```bash {"name":"n"}\necho new\n```\n\n```sh\necho b\n```\n\nEnd\n'
    )


def test_cells_without_ids_still_match_by_position() -> None:
    original = parse(DOC)
    cells = [IncomingCell(c.kind, c.value, c.language, dict(c.attributes)) for c in original.cells]
    assert serialize(rebase(original, cells)).decode() == DOC
