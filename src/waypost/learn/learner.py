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

import threading
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from waypost.learn.eventlog import EventSource, Watermark, read_batch
from waypost.learn.events import now
from waypost.learn.records import (
    Example,
    RecordRow,
    apply_raw,
    example_from_raw,
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
        """Process every event after the watermark (at most ``limit`` lines); return what changed."""
        total = LearnStats()
        with self._lock:
            mark = self.store.watermark(self.name)
            total.watermark = mark
            while True:
                size = self.batch
                if limit is not None:
                    size = min(size, limit - total.events - total.skipped)
                    if size <= 0:
                        break
                stats, changed, mark = self._batch(mark, size)
                total.add(stats)
                if changed and self.on_examples is not None:
                    self.on_examples(changed)
                if stats.events + stats.skipped == 0:
                    break
        return total

    def _batch(self, mark: Watermark, size: int) -> tuple[LearnStats, list[Example], Watermark]:
        """Read up to ``size`` lines, derive everything in memory, commit it in one go."""
        stats = LearnStats()
        items, last = read_batch(self.source, mark, size)
        if not items:
            return stats, [], mark
        ids: set[str] = set()
        for raw in items:
            if raw is None:
                continue
            if raw.get("type") == "generate":
                ids.update(cell_id for cell_id, _ in generated_raw(raw))
            else:
                cell_id = raw.get("cell_id")
                if cell_id:
                    ids.add(str(cell_id))
        found = self.store.records_for(sorted(ids)) if ids else {}
        rows: dict[str, RecordRow] = {k: row_of(v) for k, v in found.items()}
        dirty: set[str] = set()
        examples: list[Example] = []
        for raw in items:
            if raw is None:
                stats.skipped += 1
                continue
            stats.events += 1
            kind = raw.get("type")
            if kind not in _TYPES:
                continue
            if not raw.get("ts"):
                raw["ts"] = now()
            if not raw.get("id"):
                raw["id"] = new_ulid()
            if kind == "generate":
                for cell_id, text in generated_raw(raw):
                    rows[cell_id] = generate_raw(rows.get(cell_id), cell_id, text, raw)
                    dirty.add(cell_id)
                continue
            cell_id = str(raw.get("cell_id") or "")
            after = apply_raw(rows.get(cell_id), raw) if cell_id else None
            if after is not None:
                rows[cell_id] = after
                dirty.add(cell_id)
            if kind == "execute":
                example = example_from_raw(raw, after)
                if example is not None:
                    examples.append(example)
        with self.store.transaction():
            if self.store.watermark(self.name) != mark:
                # another process sharing the store (a replica) committed these lines first
                return stats, [], self.store.watermark(self.name)
            changed = self.store.put_many(examples) if examples else []
            if dirty:
                self.store.put_records([record_of(rows[i]) for i in sorted(dirty)])
            self.store.set_watermark(self.name, last)
        stats.examples = len(changed)
        stats.records = len(dirty)
        stats.watermark = last
        return stats, changed, last

    def run_forever(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Poll until ``stop`` is set; new executions become examples within ``interval`` s."""
        while not stop.is_set():
            try:
                self.poll()
            except Exception:  # learning must never take the server down; say why, go on
                _log.exception("learner.poll_failed", source=self.name)
            stop.wait(interval)
