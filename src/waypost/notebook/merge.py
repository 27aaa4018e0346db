"""Put a client's edited cells back onto the notebook they came from, so saving stays byte-exact.

Clients (the browser, Runme's extension) send whole notebooks as plain cells. Matching them to the
parsed original lets unchanged cells keep their bytes and edited ones touch only their own: code
cells match by id, markup cells by text and position; a cell in the place of one it does not match
inherits that one's shape (an edit), anything left over is new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from waypost.notebook.model import Cell, CellId, CellKind, Notebook

__all__ = ["IncomingCell", "rebase"]


@dataclass(frozen=True, slots=True)
class IncomingCell:
    """A cell as a client sends it."""

    kind: CellKind
    value: str
    language: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    id: str = ""


def _key(kind: CellKind, value: str, ident: str) -> str:
    if kind == CellKind.CODE and ident:
        return "c:" + ident
    return f"{int(kind)}:{value}"


def rebase(original: Notebook, incoming: Sequence[IncomingCell]) -> Notebook:
    """``original`` with its cells replaced by ``incoming``, keeping every byte it can."""
    old = original.cells
    old_keys = [_key(c.kind, c.value, c.id or "") for c in old]
    new_keys = [_key(c.kind, c.value, c.id) for c in incoming]
    cells: list[Cell] = []
    matcher = SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            cells.extend(
                _updated(old[i], incoming[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        pairs = list(zip(range(i1, i2), range(j1, j2), strict=False)) if tag == "replace" else []
        for i, j in pairs:
            if old[i].kind == incoming[j].kind:
                cells.append(_updated(old[i], incoming[j]))
            else:
                cells.append(_fresh(incoming[j]))
        cells.extend(_fresh(incoming[j]) for j in range(j1 + len(pairs), j2))
    return original.with_cells(cells)


def _updated(old: Cell, new: IncomingCell) -> Cell:
    """``old`` (with its origin) carrying the client's value, language and attributes."""
    if old.kind == CellKind.MARKUP:
        return old if old.value == new.value else replace(old, value=new.value)
    return replace(
        old,
        value=new.value,
        language=new.language,
        attributes=_in_original_order(old.attributes, new.attributes),
        id=CellId(new.id) if new.id else old.id,
        name=new.attributes.get("name") or old.name,
    )


def _in_original_order(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """The new attributes, keys the cell already had first and in their old order (clients such as
    Runme sort keys; the file should not change for that)."""
    ordered = {k: new[k] for k in old if k in new}
    ordered.update((k, v) for k, v in new.items() if k not in ordered)
    return ordered


def _fresh(new: IncomingCell) -> Cell:
    from waypost.notebook.identity import new_ulid

    return Cell(
        new.kind,
        new.value,
        language=new.language,
        attributes=dict(new.attributes),
        id=CellId(new.id or new_ulid()),
        name=new.attributes.get("name", ""),
        name_generated=not new.attributes.get("name"),
    )
