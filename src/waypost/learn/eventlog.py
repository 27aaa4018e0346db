"""Reading the event log from a watermark: restart-safe, and safe to read twice.

A ``Watermark`` names the next unread byte of the log. Readers yield each event together with the
watermark just past it, so a consumer that saves the watermark in the same transaction as what it
derived from the event resumes exactly there after a crash. Re-reading is harmless anyway: every
event has a unique id and everything derived from it is an upsert.

The JSONL log is a directory: ``events.jsonl`` (live) plus ``events-<ULID>.jsonl`` (rotated, full;
names sort in time order). Rotation renames the live file, which keeps its inode, so a watermark
that names ``events.jsonl`` with another inode is found again among the rotated files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from waypost.learn.events import Event

try:  # a C JSON parser: most of the cost of reading the log
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover - orjson is a dependency; stay correct without it
    _loads = json.loads

__all__ = [
    "EventSource",
    "JsonlEventLog",
    "MemoryEventLog",
    "Watermark",
]

_LIVE = "events.jsonl"
_MAX_LINE = 64 * 1024 * 1024
_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Watermark:
    """Where reading stops and resumes. The empty watermark means "from the beginning"."""

    file: str = ""
    """Name of the log file (no directory), ``""`` before the first read."""
    offset: int = 0
    """Byte offset of the next unread line in ``file``."""
    inode: int = 0
    """Inode of ``file`` when last read, to follow it through a rotation."""
    lines: int = 0
    """Lines consumed so far in total (for progress reports; not used to resume)."""

    def to_json(self) -> str:
        return json.dumps(
            {"file": self.file, "offset": self.offset, "inode": self.inode, "lines": self.lines}
        )

    @staticmethod
    def from_json(text: str) -> Watermark:
        raw = json.loads(text) if text else {}
        return Watermark(
            file=str(raw.get("file", "")),
            offset=int(raw.get("offset", 0)),
            inode=int(raw.get("inode", 0)),
            lines=int(raw.get("lines", 0)),
        )


class EventSource(Protocol):
    """A log of events that can be read from a watermark (a file tree, a database table)."""

    def read(self, since: Watermark) -> Iterator[tuple[Event | None, Watermark]]:
        """Yield each complete event after ``since`` with the watermark just past it.

        ``None`` stands for a line that is not a valid event (it is skipped, and its watermark
        still moves on so it is never read again). A partial last line is not yielded.
        """
        ...


RawEvent = dict[str, Any]
"""An event as parsed from its line: ``type``, ``id``, ``ts``, ``v`` and its data fields."""


def raw_event(event: Event) -> RawEvent:
    """The parsed-line form of an ``Event`` (what ``read_batch`` yields)."""
    return {"v": event.v, "type": event.type, "id": event.id, "ts": event.ts, **event.data}


def read_batch(
    source: EventSource, since: Watermark, limit: int
) -> tuple[list[RawEvent | None], Watermark]:
    """Up to ``limit`` events after ``since`` as parsed lines (``None``: not an event), and the
    watermark after the last one. Sources may implement ``read_batch`` themselves, faster."""
    own = getattr(source, "read_batch", None)
    if own is not None:
        return own(since, limit)  # type: ignore[no-any-return]
    out: list[RawEvent | None] = []
    mark = since
    for event, after in source.read(since):
        out.append(None if event is None else raw_event(event))
        mark = after
        if len(out) >= limit:
            break
    return out, mark


class JsonlEventLog:
    """The event log written by ``JsonlEventSink``: a directory of JSON-lines files."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def files(self) -> list[str]:
        """Log files in reading order: rotated ones by name, then the live one."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        rotated = sorted(n for n in names if n.startswith("events-") and n.endswith(".jsonl"))
        return [*rotated, _LIVE] if _LIVE in names else rotated

    def _resume(self, since: Watermark, files: list[str]) -> tuple[int, int]:
        """Index into ``files`` and offset to resume at."""
        if not since.file:
            return 0, 0
        name = since.file
        if name == _LIVE and since.inode:
            # the live file may have been rotated since: follow its inode
            live = self.directory / _LIVE
            try:
                same = live.stat().st_ino == since.inode
            except FileNotFoundError:
                same = False
            if not same:
                for i, other in enumerate(files):
                    if other == _LIVE:
                        continue
                    try:
                        if (self.directory / other).stat().st_ino == since.inode:
                            return i, since.offset
                    except FileNotFoundError:
                        continue
                # rotated and gone (or never found): the live file is new, read it whole
                later = [i for i, n in enumerate(files) if n == _LIVE]
                return (later[0], 0) if later else (len(files), 0)
        if name in files:
            return files.index(name), since.offset
        # the watermark file was removed: resume at the first file sorting after it
        for i, other in enumerate(files):
            if other != _LIVE and other > name:
                return i, 0
        return (files.index(_LIVE), 0) if _LIVE in files else (len(files), 0)

    def read_batch(self, since: Watermark, limit: int) -> tuple[list[RawEvent | None], Watermark]:
        """Up to ``limit`` complete lines after ``since``, parsed, and the watermark after them.

        Reads whole blocks and splits them, instead of a line and a ``Watermark`` at a time; a
        batch ends at the end of a file (the next call goes on with the next file)."""
        files = self.files()
        start, offset = self._resume(since, files)
        lines = since.lines
        for index in range(start, len(files)):
            name = files[index]
            try:
                handle = open(self.directory / name, "rb")  # noqa: SIM115 - closed below
            except FileNotFoundError:
                continue
            with handle:
                inode = os.fstat(handle.fileno()).st_ino
                position = offset if index == start else 0
                handle.seek(position)
                out: list[RawEvent | None] = []
                pending = b""
                while len(out) < limit:
                    block = handle.read(_BLOCK)
                    if not block:
                        break
                    data = pending + block
                    cut = data.rfind(b"\n")
                    if cut < 0:
                        if len(data) >= _MAX_LINE:  # an absurd line: skip it whole
                            position += len(data)
                            pending = b""
                            continue
                        pending = data
                        continue
                    pending = data[cut + 1 :]
                    complete = data[:cut].split(b"\n")
                    room = limit - len(out)
                    if len(complete) > room:  # stop at the limit: the rest is read next time
                        complete = complete[:room]
                        out.extend(map(_parse, complete))
                        position += sum(map(len, complete)) + len(complete)
                        break
                    out.extend(map(_parse, complete))
                    position += cut + 1
                if out or index == len(files) - 1:
                    return out, Watermark(name, position, inode, lines + len(out))
                # nothing complete in this file: go on with the next, from its start
        return [], since

    def read(self, since: Watermark) -> Iterator[tuple[Event | None, Watermark]]:
        files = self.files()
        start, offset = self._resume(since, files)
        lines = since.lines
        for index in range(start, len(files)):
            name = files[index]
            path = self.directory / name
            try:
                handle = open(path, "rb")  # noqa: SIM115 - closed in finally, across yields
            except FileNotFoundError:
                continue
            try:
                inode = os.fstat(handle.fileno()).st_ino
                position = offset if index == start else 0
                handle.seek(position)
                while True:
                    raw = handle.readline(_MAX_LINE)
                    if not raw:
                        break
                    if not raw.endswith(b"\n"):
                        if len(raw) >= _MAX_LINE:  # an absurd line: skip it whole
                            position += len(raw)
                            continue
                        break  # partial: its writer has not finished it
                    position += len(raw)
                    lines += 1
                    mark = Watermark(name, position, inode, lines)
                    yield _decode(raw), mark
            finally:
                handle.close()


def _parse(raw: bytes) -> RawEvent | None:
    """A line's event, or ``None`` (blank, not JSON, or not an event)."""
    try:
        data = _loads(raw)
    except ValueError:  # a blank line too
        return None
    if type(data) is not dict or "type" not in data:
        return None
    return data


def _decode(raw: bytes) -> Event | None:
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        return Event.from_json(text)
    except (ValueError, TypeError):
        return None


class MemoryEventLog:
    """Events in a list; the watermark offset is an index. For tests and in-process wiring."""

    def __init__(self, events: list[Event] | None = None) -> None:
        self.events: list[Event] = list(events or [])

    def emit(self, event: Event) -> None:
        """Append: a ``MemoryEventLog`` is also an ``EventSink``."""
        self.events.append(event)

    def read(self, since: Watermark) -> Iterator[tuple[Event | None, Watermark]]:
        index = since.offset
        while index < len(self.events):
            event = self.events[index]
            index += 1
            yield event, Watermark("memory", index, 0, index)
