"""What the AI sees of a notebook: the cells up to the selected one, as Markdown, within a budget.

Walks back from the selected cell, which is kept whole when it fits; earlier cells are added while the
budget lasts. Long code keeps its tail and long outputs their head, each with a visible marker.
Secret values are masked before the text can leave the process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from waypost.learn.events import ContextCell
from waypost.masking import Redactor
from waypost.notebook import Cell, CellKind, CellOutput, parse_bool
from waypost.notebook.serializer import fence_for

__all__ = [
    "CODE_TRUNCATED",
    "OUTPUT_TRUNCATED",
    "Context",
    "build_context",
    "context_cells",
    "is_suggestion",
    "measure",
    "to_context_cell",
    "to_context_cells",
]

CODE_TRUNCATED = "<...code truncated...>"
OUTPUT_TRUNCATED = "<...output truncated...>"
_MIN_CELL = 80
"""Smallest room (in budget units) worth filling with part of an earlier cell."""
_HIDDEN_MIMES = ("stateful.", "application/vnd.code.notebook.error")


@dataclass(frozen=True, slots=True)
class Context:
    text: str
    """The rendered Markdown, secrets masked."""
    hash: str
    """sha256 of ``text``: the same context gives the same hash."""
    cells: tuple[ContextCell, ...]
    """The cells that went in, oldest first (masked), as the event log records them."""
    size: int
    """Its size in the budget's unit."""


def is_suggestion(cell: Cell) -> bool:
    """An AI suggestion not (yet) accepted: a ghost cell. Left out of every context."""
    return parse_bool(cell.attributes.get("_ghostCell"), False)


def context_cells(cells: Sequence[Cell], selected: int) -> list[Cell]:
    """Cells up to and including ``selected``, without unaccepted suggestions."""
    if not cells:
        return []
    selected = max(0, min(selected, len(cells) - 1))
    return [c for c in cells[: selected + 1] if not is_suggestion(c)]


_TOKEN = re.compile(r"\w{1,4}|[^\w\s]")


def measure(text: str, unit: str) -> int:
    """Size in characters, or estimated tokens (words split in 4-character pieces, punctuation)."""
    if unit == "tokens":
        return len(_TOKEN.findall(text))
    return len(text)


def _outputs(cell: Cell) -> str:
    parts = []
    for item in cell.outputs:
        if item.mime.startswith(_HIDDEN_MIMES) or item.mime.startswith("image/"):
            continue
        parts.append(item.data.decode("utf-8", errors="replace"))
    return "".join(parts).rstrip("\n")


def _fenced(language: str, body: str) -> str:
    fence = fence_for(body)
    return f"{fence}{language}\n{body}\n{fence}" if body else f"{fence}{language}\n{fence}"


def _render(cell: Cell, room: int | None, unit: str) -> str:
    """The cell as Markdown, cut to ``room`` when given: code keeps its tail, output its head."""
    if cell.kind == CellKind.MARKUP:
        text = cell.value
        if room is not None and measure(text, unit) > room:
            text = _tail(text, room, unit)
        return text
    output = _outputs(cell)
    code = cell.value
    if room is None:
        return _join(cell.language, code, output)
    whole = _join(cell.language, code, output)
    if measure(whole, unit) <= room:
        return whole
    half = max(room // 2, 1)
    code_part = (
        code if measure(code, unit) <= half else CODE_TRUNCATED + "\n" + _tail(code, half, unit)
    )
    left = room - measure(_join(cell.language, code_part, ""), unit)
    if output and left > 0 and measure(output, unit) > left:
        output = _head(output, left, unit) + "\n" + OUTPUT_TRUNCATED
    elif left <= 0:
        output = OUTPUT_TRUNCATED if output else ""
    return _join(cell.language, code_part, output)


def _join(language: str, code: str, output: str) -> str:
    text = _fenced(language, code)
    if output:
        text += "\n\n" + _fenced("output", output)
    return text


def _tail(text: str, room: int, unit: str) -> str:
    lines = text.split("\n")
    kept: list[str] = []
    used = 0
    for line in reversed(lines):
        size = measure(line, unit) + 1
        if used + size > room and kept:
            break
        kept.append(line if used + size <= room else line[-max(room - used, 1) :])
        used += size
    return "\n".join(reversed(kept))


def _head(text: str, room: int, unit: str) -> str:
    if unit == "chars":
        return text[:room]
    kept, used = [], 0
    for line in text.split("\n"):
        size = measure(line, unit) + 1
        if used + size > room:
            break
        kept.append(line)
        used += size
    return "\n".join(kept)


def build_context(
    cells: Sequence[Cell],
    selected: int,
    *,
    budget: int,
    unit: str = "chars",
    env: Mapping[str, str] | None = None,
) -> Context:
    """The notebook up to ``selected`` rendered for a prompt, at most ``budget`` units, masked.

    Secrets are masked in each cell before anything is cut, so a cut never leaves part of one.
    """
    chosen = context_cells(cells, selected)
    redactor = Redactor(env)
    pieces: list[str] = []
    used_cells: list[Cell] = []
    remaining = budget
    for position, original in enumerate(reversed(chosen)):
        separator = 2 if pieces else 0
        room = remaining - separator
        if room <= 0 or (position > 0 and room < _MIN_CELL):
            break
        cell = _masked(original, redactor)
        full = _render(cell, None, unit)
        size = measure(full, unit)
        text = full if size <= room else _render(cell, room, unit)
        pieces.append(text)
        used_cells.append(cell)
        remaining -= measure(text, unit) + separator
        if size > room:
            break  # a cut cell is where the context starts
    text = "\n\n".join(reversed(pieces))
    return Context(
        text=text,
        hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        cells=tuple(to_context_cell(c) for c in reversed(used_cells)),
        size=measure(text, unit),
    )


def _masked(cell: Cell, redact: Redactor) -> Cell:
    outputs = tuple(
        CellOutput(o.mime, redact(o.data.decode("utf-8", "replace")).encode("utf-8"))
        if not o.mime.startswith("image/")
        else o
        for o in cell.outputs
    )
    return replace(cell, value=redact(cell.value), outputs=outputs)


def to_context_cell(cell: Cell) -> ContextCell:
    return ContextCell(
        kind="code" if cell.is_code else "markup",
        value=cell.value,
        language=cell.language,
        id=cell.id or "",
    )


def to_context_cells(cells: Sequence[Cell]) -> list[ContextCell]:
    return [to_context_cell(c) for c in cells]
