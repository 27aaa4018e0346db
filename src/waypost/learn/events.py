"""Learning events: what was suggested, accepted, rejected and run, joined later by cell id.

The event log is the only thing the learner reads. It is a JSON-lines file (one event per line,
written and flushed whole, so a crash loses at most the line being written and never corrupts an
earlier one), separate from the human-facing log and unaffected by its level. The schema is
documented in ``docs/events.md``; every event has ``v`` (schema version), ``type``, ``ts`` (ISO 8601
UTC) and ``id`` (a ULID, unique per event, which makes re-reading idempotent).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from waypost.notebook.identity import new_ulid

__all__ = [
    "SCHEMA_VERSION",
    "ContextCell",
    "Event",
    "EventSink",
    "GeneratedCell",
    "JsonlEventSink",
    "MemoryEventSink",
    "accepted",
    "execute",
    "generate",
    "rejected",
    "session_end",
    "session_start",
]

SCHEMA_VERSION = 1


def now() -> str:
    """The current time as events write it: ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_now = now


@dataclass(frozen=True, slots=True)
class ContextCell:
    """A cell of the notebook as it was when something happened (what the learner sees of it)."""

    kind: str
    """``markup`` or ``code``."""
    value: str
    language: str = ""
    id: str = ""


@dataclass(frozen=True, slots=True)
class GeneratedCell:
    id: str
    kind: str
    value: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """One learning event. ``data`` holds the fields of its type (see the constructors below)."""

    type: str
    data: dict[str, Any]
    id: str = field(default_factory=new_ulid)
    ts: str = field(default_factory=_now)
    v: int = SCHEMA_VERSION

    def to_json(self) -> str:
        return json.dumps(
            {"v": self.v, "type": self.type, "id": self.id, "ts": self.ts, **self.data},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @staticmethod
    def from_json(line: str) -> Event:
        raw = json.loads(line)
        if not isinstance(raw, dict) or "type" not in raw:
            raise ValueError("not an event object")
        v = raw.pop("v", SCHEMA_VERSION)
        kind = raw.pop("type")
        ident = raw.pop("id", "") or new_ulid()
        ts = raw.pop("ts", "") or _now()
        return Event(type=kind, data=raw, id=ident, ts=ts, v=v)


def _cells(cells: list[ContextCell] | list[GeneratedCell]) -> list[dict[str, Any]]:
    return [asdict(c) for c in cells]


def generate(
    *,
    trace_id: str,
    context: list[ContextCell],
    context_hash: str,
    provider: str,
    model: str,
    latency_ms: float,
    cells: list[GeneratedCell],
    usage: dict[str, int] | None = None,
    notebook: str = "",
    confidence: float | None = None,
    source: str = "",
) -> Event:
    """The assistant proposed ``cells`` (each with a fresh id) given ``context``."""
    return Event(
        "generate",
        {
            "trace_id": trace_id,
            "context_hash": context_hash,
            "context": _cells(context),
            "provider": provider,
            "model": model,
            "latency_ms": round(latency_ms, 3),
            "usage": usage or {},
            "cells": _cells(cells),
            "notebook": notebook,
            "confidence": confidence,
            "source": source,
        },
    )


def accepted(cell_id: str, *, trace_id: str = "", source: str = "") -> Event:
    return Event("accepted", {"cell_id": cell_id, "trace_id": trace_id, "source": source})


def rejected(cell_id: str, *, trace_id: str = "", source: str = "") -> Event:
    return Event("rejected", {"cell_id": cell_id, "trace_id": trace_id, "source": source})


def execute(
    *,
    cell_id: str,
    command: str,
    language: str,
    exit_code: int | None,
    duration_ms: float,
    context: list[ContextCell],
    session_id: str = "",
    notebook: str = "",
    name: str = "",
    source: str = "",
) -> Event:
    """A cell ran: ``command`` is its text as run; ``context`` the cells before it, oldest first.

    ``source`` says who ran it (``cli``, ``server``, ``extension``, ``eval``); ``eval`` events are
    never learned from.
    """
    return Event(
        "execute",
        {
            "cell_id": cell_id,
            "command": command,
            "language": language,
            "exit_code": exit_code,
            "duration_ms": round(duration_ms, 3),
            "context": _cells(context),
            "session_id": session_id,
            "notebook": notebook,
            "name": name,
            "source": source,
        },
    )


def session_start(session_id: str, *, source: str = "") -> Event:
    return Event("session_start", {"session_id": session_id, "source": source})


def session_end(session_id: str, *, source: str = "") -> Event:
    return Event("session_end", {"session_id": session_id, "source": source})


class EventSink(Protocol):
    """Where events go. Implementations must never raise into the caller's work."""

    def emit(self, event: Event) -> None: ...


class MemoryEventSink:
    """Keeps events in a list; for tests and for wiring without a log file."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)


class JsonlEventSink:
    """Appends events to ``events.jsonl``, one line each, flushed per event; rotates by size.

    Rotation renames the full file to ``events-<ULID>.jsonl`` (names sort in time order), so readers
    process rotated files first and then the live one.
    """

    def __init__(self, directory: Path, *, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.path = directory / "events.jsonl"
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)

    def emit(self, event: Event) -> None:
        line = (event.to_json() + "\n").encode("utf-8")
        with self._lock:
            try:
                self._rotate_if_full(len(line))
                # O_APPEND: each write lands whole at the end, even with other writer processes
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line)
                finally:
                    os.close(fd)
            except OSError:
                pass  # learning must never break the user's work

    def _rotate_if_full(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size and size + incoming > self.max_bytes:
            self.path.rename(self.directory / f"events-{new_ulid()}.jsonl")
