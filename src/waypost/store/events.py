"""The learning event log in PostgreSQL: every replica appends, the learner reads in order.

The learner reads rows in the order of the transactions that wrote them, and only rows whose
transaction is older than every one still running: a row committed late (a lower sequence number
than one already read) can then never be skipped. The watermark is the last (transaction, sequence)
read, so reading resumes exactly where it stopped and never reads a row twice. An event is one row
written in its own statement: a crash loses at most the event being written.
"""

from __future__ import annotations

from collections.abc import Iterator

from waypost.learn import Event, Watermark
from waypost.store.database import Database

__all__ = ["PostgresEventLog", "PostgresEventSink"]

SOURCE = "postgres"
"""The ``file`` a watermark names when it points into the database."""


class PostgresEventSink:
    def __init__(self, db: Database) -> None:
        self.db = db

    def emit(self, event: Event) -> None:
        try:
            with self.db.connection() as conn:
                conn.execute(
                    "INSERT INTO events (team, id, type, line) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    (self.db.team, event.id, event.type, event.to_json()),
                )
        except Exception:
            pass  # learning must never break the user's work


class PostgresEventLog:
    def __init__(self, db: Database, *, batch: int = 5000) -> None:
        self.db = db
        self.batch = batch

    def read(self, since: Watermark) -> Iterator[tuple[Event | None, Watermark]]:
        seq, tx = (since.offset, since.inode) if since.file == SOURCE else (0, 0)
        lines = since.lines
        while True:
            with self.db.connection() as conn:
                rows = conn.execute(
                    "SELECT tx::text::bigint, seq, line FROM events WHERE team = %s "
                    "AND (tx, seq) > (%s::text::xid8, %s) AND tx < pg_snapshot_xmin(pg_current_snapshot()) "
                    "ORDER BY tx, seq LIMIT %s",
                    (self.db.team, str(tx), seq, self.batch),
                ).fetchall()
            for tx, seq, line in rows:
                lines += 1
                try:
                    event: Event | None = Event.from_json(line)
                except ValueError:
                    event = None
                yield event, Watermark(SOURCE, seq, tx, lines)
            if len(rows) < self.batch:
                return
