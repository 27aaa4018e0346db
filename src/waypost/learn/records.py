"""Joining what was suggested with what was run, by cell id, and what is learned from it.

A ``CellRecord`` holds, for one cell id, the text the assistant generated (from a ``generate``
event), the text that was executed (from the latest ``execute`` event), its exit code, and so the
outcome: run as suggested, edited then run, ignored, or typed by hand. Every successful execution
that is not evaluation traffic becomes an ``Example``: the query built by ``build_query`` from the
cells before it, and the executed cell, whole.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from waypost.learn.events import Event
from waypost.learn.query import CODE, Query, QueryCell, build_query

__all__ = [
    "EVAL_SOURCE",
    "CellRecord",
    "Example",
    "Outcome",
    "apply_event",
    "example_from_execute",
    "example_key",
    "is_eval",
]

EVAL_SOURCE = "eval"
"""Events with this ``source`` (or joined to a generation with it) are never learned from."""


class Outcome(enum.StrEnum):
    AS_IS = "as_is"
    """A suggestion was run unchanged."""
    EDITED = "edited"
    """A suggestion was edited, then run."""
    IGNORED = "ignored"
    """A suggestion was never run (rejected, or left alone)."""
    MANUAL = "manual"
    """A cell that the assistant did not suggest was run."""


@dataclass(frozen=True, slots=True)
class CellRecord:
    """Everything known about one cell id."""

    cell_id: str
    generated: str | None = None
    """The suggested text, ``None`` when the assistant did not suggest this cell."""
    executed: str | None = None
    """The text as last run, ``None`` when it never ran."""
    exit_code: int | None = None
    """Exit code of the last run (``None``: unknown or never ran)."""
    trace_id: str = ""
    provider: str = ""
    generate_source: str = ""
    execute_source: str = ""
    generated_at: str = ""
    executed_at: str = ""
    accepted: bool = False
    rejected: bool = False
    runs: int = 0
    """How many ``execute`` events this cell had."""

    @property
    def outcome(self) -> Outcome:
        if self.generated is None:
            return Outcome.MANUAL
        if self.executed is None:
            return Outcome.IGNORED
        if self.executed.strip() == self.generated.strip():
            return Outcome.AS_IS
        return Outcome.EDITED

    def to_tuple(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in RECORD_FIELDS)

    @staticmethod
    def from_tuple(values: Any) -> CellRecord:
        return CellRecord(*values)


RECORD_FIELDS = (
    "cell_id",
    "generated",
    "executed",
    "exit_code",
    "trace_id",
    "provider",
    "generate_source",
    "execute_source",
    "generated_at",
    "executed_at",
    "accepted",
    "rejected",
    "runs",
)


@dataclass(frozen=True, slots=True)
class Example:
    """One thing learned: the request (query) and the cell that answered it."""

    key: str
    """De-duplication key: examples with the same query are one example, the newest wins."""
    query: Query
    answer: str
    """The executed cell, whole (every line of a multi-line cell)."""
    language: str = ""
    ts: str = ""
    """When it ran (ISO 8601 UTC); decides which of two examples with one key wins."""
    event_id: str = ""
    """The ``execute`` event it came from."""
    cell_id: str = ""
    source: str = ""
    notebook: str = ""
    outcome: str = Outcome.MANUAL.value
    """How the answer came about (``as_is``, ``edited``, ``manual``)."""

    def to_row(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "query": encode_query(self.query),
            "answer": self.answer,
            "language": self.language,
            "ts": self.ts,
            "event_id": self.event_id,
            "cell_id": self.cell_id,
            "source": self.source,
            "notebook": self.notebook,
            "outcome": self.outcome,
        }

    @staticmethod
    def from_row(row: Any) -> Example:
        return Example(
            key=row["key"],
            query=decode_query(row["query"]),
            answer=row["answer"],
            language=row["language"],
            ts=row["ts"],
            event_id=row["event_id"],
            cell_id=row["cell_id"],
            source=row["source"],
            notebook=row["notebook"],
            outcome=row["outcome"],
        )


_SPACE = re.compile(r"\s+")
_QUERY_TAIL = 16
_UNIT, _RECORD = "\x1f", "\x1e"


def encode_query(query: Query) -> str:
    """A compact text form of a query (cells separated by RS, fields by US)."""
    return _RECORD.join(f"{c.kind}{_UNIT}{c.language}{_UNIT}{c.value}" for c in query.cells)


def decode_query(text: str) -> Query:
    if text.startswith("["):  # written by an early version as JSON
        return Query.from_json(json.loads(text))
    cells = []
    for part in text.split(_RECORD) if text else []:
        kind, language, value = part.split(_UNIT, 2)
        cells.append(QueryCell(kind, value, language))
    return Query(tuple(cells))


def example_key(query: Query) -> str:
    """Same request (modulo case and spacing) → same key."""
    text = "\x1f".join(f"{c.kind}:{' '.join(c.value.lower().split())}" for c in query.cells)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def is_eval(source: str) -> bool:
    return source == EVAL_SOURCE


def apply_event(record: CellRecord | None, event: Event) -> CellRecord | None:
    """The record for the cell ``event`` is about, updated; ``None`` for events about no cell."""
    data = event.data
    if event.type == "execute":
        cell_id = str(data.get("cell_id") or "")
        if not cell_id:
            return None
        exit_code = data.get("exit_code")
        if record is None:
            return CellRecord(
                cell_id,
                executed=str(data.get("command") or ""),
                exit_code=exit_code if isinstance(exit_code, int) else None,
                execute_source=str(data.get("source") or ""),
                executed_at=event.ts,
                runs=1,
            )
        return replace(
            record,
            executed=str(data.get("command") or ""),
            exit_code=exit_code if isinstance(exit_code, int) else None,
            execute_source=str(data.get("source") or ""),
            executed_at=event.ts,
            runs=record.runs + 1,
        )
    if event.type in ("accepted", "rejected"):
        cell_id = str(data.get("cell_id") or "")
        if not cell_id:
            return None
        base = record or CellRecord(cell_id)
        if event.type == "accepted":
            return replace(base, accepted=True)
        return replace(base, rejected=True)
    return None


def generated_cells(event: Event) -> list[tuple[str, str]]:
    """``(cell id, text)`` of each code cell a ``generate`` event proposed."""
    out = []
    for cell in event.data.get("cells") or []:
        if not isinstance(cell, dict):
            continue
        if str(cell.get("kind", CODE)).lower() != CODE:
            continue
        cell_id = str(cell.get("id") or "")
        if cell_id:
            out.append((cell_id, str(cell.get("value") or "")))
    return out


def apply_generate(record: CellRecord | None, cell_id: str, text: str, event: Event) -> CellRecord:
    base = record or CellRecord(cell_id)
    data = event.data
    return replace(
        base,
        generated=text,
        trace_id=str(data.get("trace_id") or ""),
        provider=str(data.get("provider") or ""),
        generate_source=str(data.get("source") or ""),
        generated_at=event.ts,
    )


def _context_cells(raw: Any) -> list[QueryCell]:
    """The tail of an event's context that ``build_query`` can use, as ``QueryCell``s."""
    raw = list(raw or [])
    cells = []
    # build_query looks back at most a few cells: convert only a generous tail
    for cell in raw[-4 * _QUERY_TAIL :]:
        if isinstance(cell, dict):
            cells.append(
                QueryCell(
                    str(cell.get("kind") or "markup"),
                    str(cell.get("value") or ""),
                    str(cell.get("language") or ""),
                )
            )
    return cells


def example_from_execute(event: Event, record: CellRecord | None) -> Example | None:
    """The example an ``execute`` event teaches, or ``None`` (failed, eval, nothing to learn)."""
    data = event.data
    if data.get("exit_code") != 0:
        return None
    if is_eval(str(data.get("source") or "")):
        return None
    if record is not None and is_eval(record.generate_source):
        return None
    answer = str(data.get("command") or "")
    if not answer.strip():
        return None
    query = build_query(_context_cells(data.get("context")))
    if not query.cells:
        return None  # the first cell of a notebook: nothing says what it is for
    outcome = record.outcome.value if record is not None else Outcome.MANUAL.value
    return Example(
        key=example_key(query),
        query=query,
        answer=answer.strip("\n"),
        language=str(data.get("language") or ""),
        ts=event.ts,
        event_id=event.id,
        cell_id=str(data.get("cell_id") or ""),
        source=str(data.get("source") or ""),
        notebook=str(data.get("notebook") or ""),
        outcome=outcome,
    )
