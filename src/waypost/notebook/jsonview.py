"""The notebook as JSON-ready data: what ``fmt --json`` prints and the HTTP API sends.

Cells carry Runme's metadata keys (``runme.dev/id``, ``runme.dev/name``...) next to the user's
attributes, so a Runme client reads them as it reads Runme's own.
"""

from __future__ import annotations

from typing import Any

from waypost.notebook.model import Cell, CellKind, Notebook

__all__ = ["cell_metadata", "notebook_to_json"]


def cell_metadata(cell: Cell) -> dict[str, str]:
    """User attributes plus Runme's internal keys."""
    meta = dict(cell.attributes)
    if cell.kind == CellKind.CODE:
        if cell.id:
            meta["runme.dev/id"] = cell.id
        meta["runme.dev/name"] = cell.name
        meta["runme.dev/nameGenerated"] = "true" if cell.name_generated else "false"
        if cell.origin is not None and cell.origin.attribute_format == "html" and cell.attributes:
            meta["runme.dev/format"] = "html"
        if not cell.fenced:
            meta["runme.dev/fenced"] = "false"
    return meta


def _cell(cell: Cell) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "code" if cell.kind == CellKind.CODE else "markup",
        "id": cell.id,
        "value": cell.value,
    }
    if cell.kind == CellKind.CODE:
        data["languageId"] = cell.language
        data["name"] = cell.name
        data["nameGenerated"] = cell.name_generated
        data["description"] = cell.description
    data["metadata"] = cell_metadata(cell)
    if cell.span is not None:
        data["span"] = {"start": cell.span.start, "end": cell.span.end}
    if cell.text_range is not None:
        data["textRange"] = {"start": cell.text_range.start, "end": cell.text_range.end}
    return data


def notebook_to_json(notebook: Notebook) -> dict[str, Any]:
    data: dict[str, Any] = {"cells": [_cell(c) for c in notebook.cells]}
    fm = notebook.frontmatter
    if fm is not None:
        data["frontmatter"] = {"format": fm.format, "raw": fm.raw, "data": fm.data}
        if fm.error:
            data["frontmatter"]["error"] = fm.error
    if notebook.document_id:
        data["id"] = notebook.document_id
    return data
