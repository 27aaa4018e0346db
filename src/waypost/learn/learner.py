"""The learner: reads new events from the log, joins them into records, and stores examples.

``Learner.poll()`` processes everything written since the stored watermark, in batches; each batch
(records, examples and the watermark after its last line) commits in one transaction. A crash
loses at most the batch in flight, which is read again on restart; reading it twice changes
nothing. Learners in several processes may share one store: a batch commits only if the
watermark is still where its reading started, otherwise it is dropped and reading resumes from
the newer watermark. ``run_forever(stop)`` polls every ``interval`` seconds, for a background thread in
``waypost serve``; ``waypost learn`` calls ``poll()`` once.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import structlog

from waypost.learn.eventlog import EventSource, RawEvent, Watermark, read_batch
from waypost.learn.events import now
from waypost.learn.records import (
    CellRecord,
    Example,
    RecordRow,
    apply_raw,
    draft_example,
    finish_example,
    generate_raw,
    generated_raw,
    record_of,
    row_of,
)
from waypost.learn.store import LearnStore
from waypost.notebook.identity import new_ulid

__all__ = ["LearnStats", "Learner"]

_log = structlog.get_logger("waypost.learn")

_TYPES = frozenset({"execute", "generate", "accepted", "rejected"})
"""Event types that change records or examples (the others are read and counted only)."""


@dataclass(slots=True)
class LearnStats:
    """What one ``poll`` did."""

    events: int = 0
    """Events read (valid lines)."""
    skipped: int = 0
    """Lines that were not valid events."""
    records: int = 0
    """Cell records created or updated."""
    examples: int = 0
    """Examples added or replaced (0 when re-reading a log already learned)."""
    watermark: Watermark | None = None

    def add(self, other: LearnStats) -> None:
        self.events += other.events
        self.skipped += other.skipped
        self.records += other.records
        self.examples += other.examples
        self.watermark = other.watermark or self.watermark


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector during a poll.

    A batch allocates a few hundred thousand parsed lines, rows and examples that all live until
    its commit; each of them would be scanned again by every collection they survive (a third of
    the learner's time), and they form no cycles. The collector runs again after the poll.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(slots=True)
class _Batch:
    """Lines read from the log, with what can be derived from them before records are known."""

    start: Watermark
    end: Watermark
    lines: int
    events: list[tuple[RawEvent, Any]] = field(default_factory=list)
    """Each event that changes records or examples, in log order, with its generated cells
    (``generate``) or its example draft (``execute``; ``None`` when it teaches nothing)."""
    ids: set[str] = field(default_factory=set)
    """The cell ids those events are about."""
    stats: LearnStats = field(default_factory=LearnStats)


class _Writer:
    """Commits one batch at a time in a background thread (started when a second batch may
    follow)."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pending: tuple[_Batch, Future[list[Example] | None]] | None = None

    def submit(
        self, batch: _Batch, commit: Callable[[], list[Example] | None], *, last: bool
    ) -> None:
        """Start committing ``batch``; ``last``: no batch follows, so commit it right here (a
        poll that finds a few new lines starts no thread)."""
        if last:
            future: Future[list[Example] | None] = Future()
            try:
                future.set_result(commit())
            except Exception as exc:  # raised again by ``result``, as from the thread
                future.set_exception(exc)
            self._pending = (batch, future)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="waypost-learn-writer")
        self._pending = (batch, self._pool.submit(commit))

    def result(self) -> tuple[_Batch, list[Example] | None] | None:
        """The batch submitted last and what its commit returned (raising what it raised);
        ``None`` when nothing is pending."""
        if self._pending is None:
            return None
        batch, future = self._pending
        self._pending = None
        return batch, future.result()

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


class Learner:
    """Turns an ``EventSource`` into examples in a ``LearnStore``."""

    def __init__(
        self,
        source: EventSource,
        store: LearnStore,
        *,
        name: str = "events",
        batch: int = 20000,
        on_examples: Callable[[list[Example]], None] | None = None,
    ) -> None:
        self.source = source
        self.store = store
        self.name = name
        """The watermark's name: one per event source in a store."""
        self.batch = batch
        self.on_examples = on_examples
        """Called after each committed batch with the examples it changed."""
        self._lock = threading.Lock()

    def poll(self, *, limit: int | None = None) -> LearnStats:
        """Process every event after the watermark (at most ``limit`` lines); return what changed.

        Batches are pipelined: while one is committed (in a writer thread: SQLite and PostgreSQL
        do their work without holding the GIL), the next is read, parsed and joined with the
        records: those the batch in flight leaves, which are at hand, and the stored ones for
        the rest (every batch before it has committed)."""
        total = LearnStats()
        with self._lock, _collector_paused(), _Writer() as writer:
            mark = self.store.watermark(self.name)
            total.watermark = mark
            read = 0
            in_flight: dict[str, CellRecord] = {}
            while True:
                size = self.batch if limit is None else min(self.batch, limit - read)
                batch = self._read(mark, size) if size > 0 else None
                derived = self._derive(batch, in_flight) if batch and batch.lines else ([], [])
                if not self._settle(writer, total):
                    # another process sharing the store (a replica) committed those lines first
                    mark = self.store.watermark(self.name)
                    read = total.events + total.skipped
                    in_flight = {}
                    continue
                if batch is None or not batch.lines:
                    break
                writer.submit(
                    batch,
                    lambda b=batch, d=derived: self._commit(b, *d),
                    last=batch.lines < size,
                )
                in_flight = {r.cell_id: r for r in derived[1]}
                mark = batch.end
                read += batch.lines
            self._settle(writer, total)
        return total

    def _settle(self, writer: _Writer, total: LearnStats) -> bool:
        """Wait for the batch being committed, if any, and count it; ``False`` if it lost the race
        for its lines to another process."""
        done = writer.result()
        if done is None:
            return True
        batch, changed = done
        if changed is None:
            return False
        batch.stats.examples = len(changed)
        batch.stats.watermark = batch.end
        total.add(batch.stats)
        if changed and self.on_examples is not None:
            self.on_examples(changed)
        return True

    def _read(self, mark: Watermark, size: int) -> _Batch:
        """Read up to ``size`` lines and draft their examples: nothing here needs the store."""
        items, end = read_batch(self.source, mark, size)
        batch = _Batch(mark, end, len(items))
        for raw in items:
            if raw is None:
                batch.stats.skipped += 1
                continue
            batch.stats.events += 1
            kind = raw.get("type")
            if kind not in _TYPES:
                continue
            if not raw.get("ts"):
                raw["ts"] = now()
            if not raw.get("id"):
                raw["id"] = new_ulid()
            if kind == "generate":
                cells = generated_raw(raw)
                batch.ids.update(cell_id for cell_id, _ in cells)
                batch.events.append((raw, cells))
                continue
            cell_id = raw.get("cell_id")
            if cell_id:
                batch.ids.add(str(cell_id))
            batch.events.append((raw, draft_example(raw) if kind == "execute" else None))
        return batch

    def _derive(
        self, batch: _Batch, in_flight: dict[str, CellRecord]
    ) -> tuple[list[Example], list[CellRecord]]:
        """Join the batch's events with the records before it (``in_flight``: those the batch
        being committed leaves; the store's for the other cells), in log order: the examples
        and the records it changes."""
        stored = sorted(i for i in batch.ids if i not in in_flight)
        found = self.store.records_for(stored) if stored else {}
        found.update((i, in_flight[i]) for i in batch.ids if i in in_flight)
        rows: dict[str, RecordRow] = {k: row_of(v) for k, v in found.items()}
        dirty: set[str] = set()
        examples: list[Example] = []
        for raw, extra in batch.events:
            if raw["type"] == "generate":
                for cell_id, text in extra:
                    rows[cell_id] = generate_raw(rows.get(cell_id), cell_id, text, raw)
                    dirty.add(cell_id)
                continue
            cell_id = str(raw.get("cell_id") or "")
            after = apply_raw(rows.get(cell_id), raw) if cell_id else None
            if after is not None:
                rows[cell_id] = after
                dirty.add(cell_id)
            if extra is not None:
                example = finish_example(extra, after)
                if example is not None:
                    examples.append(example)
        batch.stats.records = len(dirty)
        return examples, [record_of(rows[i]) for i in sorted(dirty)]

    def _commit(
        self, batch: _Batch, examples: list[Example], records: list[CellRecord]
    ) -> list[Example] | None:
        """Store a batch and the watermark after it in one transaction; the examples that changed,
        or ``None`` when another process committed these lines first (nothing is written)."""
        with self.store.transaction():
            if self.store.watermark(self.name) != batch.start:
                return None
            changed = self.store.put_many(examples) if examples else []
            if records:
                self.store.put_records(records)
            self.store.set_watermark(self.name, batch.end)
        return changed

    def run_forever(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Poll until ``stop`` is set; new executions become examples within ``interval`` s."""
        while not stop.is_set():
            try:
                self.poll()
            except Exception:  # learning must never take the server down; say why, go on
                _log.exception("learner.poll_failed", source=self.name)
            stop.wait(interval)
