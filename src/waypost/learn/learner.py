"""The learner: reads new events from the log, joins them into records, and stores examples.

``Learner.poll()`` processes everything written since the stored watermark, in batches; each batch
(records, examples and the watermark after its last line) commits in one transaction. A crash
loses at most the batch in flight, which is read again on restart; reading it twice changes
nothing. ``run_forever(stop)`` polls every ``interval`` seconds, for a background thread in
``waypost serve``; ``waypost learn`` calls ``poll()`` once.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from waypost.learn.eventlog import EventSource, Watermark
from waypost.learn.records import (
    CellRecord,
    Example,
    apply_event,
    apply_generate,
    example_from_execute,
    generated_cells,
)
from waypost.learn.store import LearnStore

__all__ = ["LearnStats", "Learner"]

_log = structlog.get_logger("waypost.learn")


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
        batch: int = 5000,
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
            reader = self.source.read(mark)
            done = False
            while not done:
                stats, changed, done = self._batch(reader, limit, total)
                total.add(stats)
                if changed and self.on_examples is not None:
                    self.on_examples(changed)
        return total

    def _batch(self, reader, limit: int | None, total: LearnStats):  # type: ignore[no-untyped-def]
        """Read up to ``batch`` lines, derive everything in memory, commit it in one go."""
        stats = LearnStats()
        size = self.batch
        if limit is not None:
            size = min(size, limit - total.events - total.skipped)
        items = list(itertools.islice(reader, max(size, 0)))
        done = len(items) < self.batch or (limit is not None and len(items) >= size)
        if not items:
            return stats, [], True
        ids: set[str] = set()
        for event, _ in items:
            if event is None:
                continue
            if event.type == "generate":
                ids.update(cell_id for cell_id, _ in generated_cells(event))
            elif event.data.get("cell_id"):
                ids.add(str(event.data["cell_id"]))
        records: dict[str, CellRecord] = self.store.records_for(sorted(ids)) if ids else {}
        dirty: set[str] = set()
        examples: list[Example] = []
        for event, _ in items:
            if event is None:
                stats.skipped += 1
                continue
            stats.events += 1
            if event.type == "generate":
                for cell_id, text in generated_cells(event):
                    records[cell_id] = apply_generate(records.get(cell_id), cell_id, text, event)
                    dirty.add(cell_id)
                continue
            cell_id = str(event.data.get("cell_id") or "")
            after = apply_event(records.get(cell_id), event) if cell_id else None
            if after is not None:
                records[cell_id] = after
                dirty.add(cell_id)
            if event.type == "execute":
                example = example_from_execute(event, after)
                if example is not None:
                    examples.append(example)
        last = items[-1][1]
        with self.store.transaction():
            changed = self.store.put_many(examples) if examples else []
            if dirty:
                self.store.put_records([records[i] for i in sorted(dirty)])
            self.store.set_watermark(self.name, last)
        stats.examples = len(changed)
        stats.records = len(dirty)
        stats.watermark = last
        return stats, changed, done

    def run_forever(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Poll until ``stop`` is set; new executions become examples within ``interval`` s."""
        while not stop.is_set():
            try:
                self.poll()
            except Exception:  # learning must never take the server down; say why, go on
                _log.exception("learner.poll_failed", source=self.name)
            stop.wait(interval)
