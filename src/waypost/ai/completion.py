"""A provider's Markdown answer → suggestion cells: at most one note, then the code cells after it.

Empty answers, "nothing to do" answers and ``output`` blocks (a model echoing results) give no cells.
Every cell gets a new ULID and is marked as a suggestion (``_ghostCell``, never written to a file)
until the user accepts it; the id is also in its ``id`` attribute, so once accepted and saved the cell
keeps the id that joins its execution to this generation.
"""

from __future__ import annotations

import re

from waypost.ai.prompt import NOTHING
from waypost.notebook import Cell, CellId, CellKind, new_ulids, parse

__all__ = ["SUGGESTION", "cells_from_answer"]

SUGGESTION = "_ghostCell"
"""Runme's metadata key for a suggestion not yet accepted (the leading ``_`` keeps it out of files)."""

_WRAPPERS = re.compile(r"</?(?:output|ran|runbook|answer|example)>", re.IGNORECASE)
_NOTHING = re.compile(rf"^\W*(?:{NOTHING}|nothing to do|no suggestion)\W*$", re.IGNORECASE)


def cells_from_answer(text: str, *, default_language: str = "sh") -> list[Cell]:
    text = _WRAPPERS.sub("", text).strip()
    if not text or _NOTHING.match(text):
        return []
    kept: list[Cell] = []
    notes: list[str] = []
    for cell in parse(text).cells:
        if cell.is_code:
            if cell.language == "output" or not cell.value.strip():
                continue
            kept.append(cell)
        elif kept:
            break  # a note after the code starts another step
        elif cell.value.strip() and not _NOTHING.match(cell.value):
            notes.append(cell.value.strip())
    ids = new_ulids(len(kept) + 1)
    result = []
    if notes:
        result.append(Cell(CellKind.MARKUP, "\n\n".join(notes), id=CellId(ids[-1]),
                           attributes={SUGGESTION: "true"}))  # fmt: skip
    for ident, cell in zip(ids, kept, strict=False):
        attributes = {k: v for k, v in cell.attributes.items() if k != "id"}
        attributes.update({"id": ident, SUGGESTION: "true"})
        result.append(
            Cell(
                CellKind.CODE,
                cell.value,
                language=cell.language or default_language,
                attributes=attributes,
                id=CellId(ident),
                name=attributes.get("name", ""),
            )
        )
    return result
