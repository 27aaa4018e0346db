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
from collections.abc import Sequence
from typing import Any, NamedTuple

from waypost.learn.eventlog import raw_event
from waypost.learn.events import Event
from waypost.learn.query import CODE, Query, QueryCell, build_query_raw

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


class CellRecord(NamedTuple):
    """Everything known about one cell id (a named tuple: the learner makes one per event, and
    its fields are the store's columns in order)."""

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
        return row_outcome(self)


RECORD_FIELDS = CellRecord._fields


class Example(NamedTuple):
    """One thing learned: the request (query) and the cell that answered it (a named tuple:
    cheap to make by the hundred thousand)."""

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


EXAMPLE_FIELDS = Example._fields
"""The columns of a stored example, in the order of ``Example.to_row``."""


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


RecordRow = list[Any]
"""A ``CellRecord`` being updated, as a list in ``RECORD_FIELDS`` order (cheap to change)."""

_EXECUTED, _EXIT, _SOURCE_X, _AT_X, _RUNS = 2, 3, 7, 9, 12
_GENERATED, _TRACE, _PROVIDER, _SOURCE_G, _AT_G = 1, 4, 5, 6, 8
_ACCEPTED, _REJECTED = 10, 11


def new_row(cell_id: str) -> RecordRow:
    return [cell_id, None, None, None, "", "", "", "", "", "", False, False, 0]


def row_of(record: CellRecord) -> RecordRow:
    return list(record)


def record_of(row: RecordRow) -> CellRecord:
    return CellRecord._make(row)


def row_outcome(row: Sequence[Any] | None) -> Outcome:
    """The outcome of a record, or of a row being updated (``None``: no record)."""
    if row is None or row[_GENERATED] is None:
        return Outcome.MANUAL
    if row[_EXECUTED] is None:
        return Outcome.IGNORED
    if row[_EXECUTED].strip() == row[_GENERATED].strip():
        return Outcome.AS_IS
    return Outcome.EDITED


def apply_raw(row: RecordRow | None, raw: dict[str, Any]) -> RecordRow | None:
    """``apply_event`` on a parsed line, updating ``row`` in place (or a new one)."""
    kind = raw.get("type")
    if kind == "execute":
        cell_id = str(raw.get("cell_id") or "")
        if not cell_id:
            return None
        if row is None:
            row = new_row(cell_id)
        exit_code = raw.get("exit_code")
        row[_EXECUTED] = str(raw.get("command") or "")
        row[_EXIT] = exit_code if isinstance(exit_code, int) else None
        row[_SOURCE_X] = str(raw.get("source") or "")
        row[_AT_X] = raw.get("ts") or ""
        row[_RUNS] += 1
        return row
    if kind in ("accepted", "rejected"):
        cell_id = str(raw.get("cell_id") or "")
        if not cell_id:
            return None
        if row is None:
            row = new_row(cell_id)
        row[_ACCEPTED if kind == "accepted" else _REJECTED] = True
        return row
    return None


def generated_raw(raw: dict[str, Any]) -> list[tuple[str, str]]:
    """``(cell id, text)`` of each code cell a parsed ``generate`` line proposed."""
    out = []
    for cell in raw.get("cells") or []:
        if not isinstance(cell, dict):
            continue
        if str(cell.get("kind", CODE)).lower() != CODE:
            continue
        cell_id = str(cell.get("id") or "")
        if cell_id:
            out.append((cell_id, str(cell.get("value") or "")))
    return out


def generate_raw(row: RecordRow | None, cell_id: str, text: str, raw: dict[str, Any]) -> RecordRow:
    if row is None:
        row = new_row(cell_id)
    row[_GENERATED] = text
    row[_TRACE] = str(raw.get("trace_id") or "")
    row[_PROVIDER] = str(raw.get("provider") or "")
    row[_SOURCE_G] = str(raw.get("source") or "")
    row[_AT_G] = raw.get("ts") or ""
    return row


ExampleDraft = tuple[Any, ...]
"""An ``Example``'s fields but the last (``outcome``), read off its ``execute`` line alone."""


def draft_example(raw: dict[str, Any]) -> ExampleDraft | None:
    """What a parsed ``execute`` line teaches before its cell's record is known, or ``None``
    (failed, evaluation traffic, empty, or nothing before it to ask with)."""
    if raw.get("exit_code") != 0:
        return None
    source = raw.get("source") or ""
    if is_eval(source):
        return None
    answer = raw.get("command") or ""
    if type(answer) is not str:
        answer = str(answer)
    if not answer.strip():
        return None
    query = build_query_raw(raw.get("context"))
    if not query.cells:
        return None  # the first cell of a notebook: nothing says what it is for
    return (
        example_key(query),
        query,
        answer.strip("\n"),
        str(raw.get("language") or ""),
        raw.get("ts") or "",
        raw.get("id") or "",
        str(raw.get("cell_id") or ""),
        str(source),
        str(raw.get("notebook") or ""),
    )


def finish_example(draft: ExampleDraft, row: RecordRow | None) -> Example | None:
    """The example a draft becomes given its cell's record row after the execution: none when
    the cell was suggested for evaluation; otherwise with the outcome."""
    if row is not None and is_eval(row[_SOURCE_G]):
        return None
    return Example._make((*draft, row_outcome(row).value))


def apply_event(record: CellRecord | None, event: Event) -> CellRecord | None:
    """The record for the cell ``event`` is about, updated; ``None`` for events about no cell."""
    row = apply_raw(None if record is None else row_of(record), raw_event(event))
    return None if row is None else record_of(row)


def apply_generate(record: CellRecord | None, cell_id: str, text: str, event: Event) -> CellRecord:
    row = None if record is None else row_of(record)
    return record_of(generate_raw(row, cell_id, text, raw_event(event)))


def example_from_execute(event: Event, record: CellRecord | None) -> Example | None:
    """The example an ``execute`` event teaches, or ``None`` (failed, eval, nothing to learn)."""
    draft = draft_example(raw_event(event))
    return (
        None if draft is None else finish_example(draft, None if record is None else row_of(record))
    )
