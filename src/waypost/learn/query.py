"""The one function that turns "the notebook up to the cell being predicted" into a query.

Training (the learner, from an ``execute`` event's context) and serving (the generator, from the
notebook on screen) both call ``build_query``, so what is stored and what is asked never drift
apart (Foyle #279). The query is the cell just before the one being predicted plus the run of
markup cells right before it, as in Foyle's ``CreateQuery``; HTML comments (invisible in rendered
Markdown) and blank cells are left out, and ghost cells (suggestions not yet accepted) never count.

Before those comes the notebook's setting: its title and opening paragraph, the markup above the
first code cell but for that cell's own request (a heading is never a request). A runbook says
once, at the top, what it is about ("Reports jobs failing in dev"), and its later requests ("Tail
reports errors from the last hour") no longer repeat it; without the setting, the environment a
command was run in would be lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["CODE", "MARKUP", "Query", "QueryCell", "build_query", "build_query_raw", "cell_kind"]

MARKUP = "markup"
CODE = "code"

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MAX_CELLS = 8
_MAX_CHARS = 4000
_SETTING_CELLS = 2
"""The setting is at most the title and one paragraph."""
_SETTING_CHARS = 1000


class QueryCell(NamedTuple):
    """A cell as the query sees it."""

    kind: str
    """``markup`` or ``code``."""
    value: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class Query:
    """What the user is asking for, as read off the notebook."""

    cells: tuple[QueryCell, ...] = ()
    """Oldest first; the last one is the cell right before the one being predicted."""

    @property
    def intent(self) -> str:
        """The request itself: the last markup cell (the sentence right before the answer)."""
        for cell in reversed(self.cells):
            if cell.kind == MARKUP:
                return cell.value
        return ""

    @property
    def context(self) -> str:
        """Everything else in the query (headings, earlier paragraphs, a previous code cell)."""
        intent = self.intent
        parts, skipped = [], False
        for cell in reversed(self.cells):
            if cell.kind == MARKUP and cell.value == intent and not skipped:
                skipped = True
                continue
            parts.append(cell.value)
        return "\n\n".join(reversed(parts))

    @property
    def text(self) -> str:
        """The query as Markdown (code cells fenced), e.g. for an LLM's few-shot examples."""
        out = []
        for cell in self.cells:
            if cell.kind == CODE:
                out.append(f"```{cell.language}\n{cell.value}\n```")
            else:
                out.append(cell.value)
        return "\n\n".join(out)

    def to_json(self) -> list[dict[str, str]]:
        return [{"kind": c.kind, "value": c.value, "language": c.language} for c in self.cells]

    @staticmethod
    def from_json(raw: list[dict[str, Any]]) -> Query:
        return Query(
            tuple(
                QueryCell(
                    str(c.get("kind", MARKUP)), str(c.get("value", "")), c.get("language", "")
                )
                for c in raw
            )
        )


def cell_kind(cell: Any) -> str:
    """``markup`` or ``code`` for a notebook ``Cell``, a ``ContextCell`` or a ``QueryCell``."""
    kind = getattr(cell, "kind", MARKUP)
    if isinstance(kind, str):
        return CODE if kind.lower() == CODE else MARKUP
    return CODE if int(kind) == 2 else MARKUP  # CellKind.CODE


def _is_ghost(cell: Any) -> bool:
    attributes = getattr(cell, "attributes", None) or {}
    return str(attributes.get("_ghostCell", "")).lower() in {"1", "t", "true"}


def build_query(cells: Sequence[Any], index: int | None = None) -> Query:
    """The query for predicting the cell at ``index`` from ``cells[:index]`` (default: all).

    ``cells`` may be notebook ``Cell``s, ``ContextCell``s from an event, or ``QueryCell``s: anything
    with ``kind``, ``value`` and ``language``.
    """
    end = len(cells) if index is None else max(0, min(index, len(cells)))
    visible = [
        (
            cell_kind(cell),
            str(getattr(cell, "value", "") or ""),
            str(getattr(cell, "language", "") or ""),
        )
        for cell in cells[:end]
        if not _is_ghost(cell)
    ]
    return _with_setting(_pick(reversed(visible)), visible)


_RAW_TAIL = 64
"""``build_query_raw`` looks at most this many cells back (``build_query`` stops far earlier)."""


def build_query_raw(cells: Any) -> Query:
    """``build_query`` for an event's ``context`` as parsed from its line: a list of
    ``{"kind", "value", "language"}`` objects (anything else in the list is ignored)."""
    if not isinstance(cells, list):
        return Query()
    window = _pick(_raw_cells(reversed(cells[-_RAW_TAIL:])))
    if window.cells and len(cells) <= len(window.cells):
        return window  # the window holds every cell (the learner's common case: be quick)
    return _with_setting(window, _raw_cells(cells))


def _raw_cells(cells: Iterable[Any]) -> Iterator[tuple[str, str, str]]:
    """``(kind, value, language)`` of each parsed context cell that is not a ghost cell."""
    for cell in cells:
        if type(cell) is not dict or ("attributes" in cell and _raw_ghost(cell)):
            continue
        kind = cell.get("kind")
        if kind != MARKUP:
            kind = CODE if kind == CODE or (kind and str(kind).lower() == CODE) else MARKUP
        value = cell.get("value") or ""
        language = cell.get("language") or ""
        yield (
            kind,
            value if type(value) is str else str(value),
            language if type(language) is str else str(language),
        )


def _raw_ghost(cell: dict[str, Any]) -> bool:
    attributes = cell.get("attributes")
    if not attributes or not isinstance(attributes, dict):
        return False
    return str(attributes.get("_ghostCell", "")).lower() in {"1", "t", "true"}


def _with_setting(window: Query, cells: Iterable[tuple[str, str, str]]) -> Query:
    """``window`` with the notebook's setting before it (``cells``: the notebook, oldest first),
    unless the window already starts at the top of the notebook."""
    if not window.cells:
        return window
    top = window.cells[0]
    opening: list[QueryCell] = []
    chars = 0
    for kind, value, _ in cells:
        if kind != MARKUP:
            break
        value = _markup_text(value)
        if not value:
            continue
        if not opening and top.kind == MARKUP and top.value == value:
            return window  # the window starts at the top of the notebook
        opening.append(QueryCell(MARKUP, value))
        chars += len(value)
        if len(opening) > _SETTING_CELLS or chars >= _SETTING_CHARS:
            break
    # the last markup above the first code cell is that cell's request, unless a heading
    if opening and not opening[-1].value.startswith("#"):
        opening.pop()
    setting = [c for c in opening[:_SETTING_CELLS] if c not in window.cells]
    if not setting:
        return window
    return Query((*setting, *window.cells))


def _markup_text(value: str) -> str:
    if "<!--" in value:
        value = _COMMENT.sub("", value)
    return value.strip()


def _pick(cells: Any) -> Query:
    """The query from ``(kind, value, language)`` of the cells before the predicted one, newest
    first: the cell right before it plus the run of markup cells right before that."""
    picked: list[QueryCell] = []
    chars = 0
    for kind, value, language in cells:
        if kind == MARKUP:
            value = _markup_text(value)
            if not value:
                continue
        elif not value.strip():
            continue
        if picked and kind != MARKUP:
            break
        picked.append(QueryCell(kind, value, language))
        chars += len(value)
        if len(picked) >= _MAX_CELLS or chars >= _MAX_CHARS:
            break
    return Query(tuple(reversed(picked)))
