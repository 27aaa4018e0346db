"""Where learning keeps its state: examples, cell records and the log watermark.

Three small protocols, so that a team database (PostgreSQL, later) can replace the default without
touching the logic: ``ExampleStore`` (examples, de-duplicated by key, newest wins, each change given
a sequence number so an index can catch up incrementally), ``RecordStore`` (one ``CellRecord`` per
cell id) and ``WatermarkStore``. ``LearnStore`` is all three plus a transaction, so a batch of
derived rows and the watermark just past it commit together: a crash resumes exactly there.

``SqliteStore`` (the default, one file) and ``MemoryStore`` (tests, eval) implement ``LearnStore``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from waypost.learn.eventlog import Watermark
from waypost.learn.records import (
    EXAMPLE_FIELDS,
    RECORD_FIELDS,
    CellRecord,
    Example,
    encode_query,
)

_RECORD_INSERT = f"INSERT OR REPLACE INTO records ({', '.join(RECORD_FIELDS)})"
_EXAMPLE_PUT = (
    f"INSERT INTO example_versions ({', '.join(EXAMPLE_FIELDS)}) SELECT * FROM (",
    """) AS v WHERE NOT EXISTS (
  SELECT 1 FROM example_keys AS k JOIN example_versions AS e ON e.seq = k.seq
  WHERE k.key = v.column1 AND (
    (e.ts, e.event_id) > (v.column5, v.column6)
    OR ((e.ts, e.event_id) = (v.column5, v.column6) AND e.answer = v.column3)))""",
)
"""``put_many``'s versions as one statement (in two parts around its ``VALUES``): each example is
appended unless its key holds a newer one or this very one."""
_APPENDED = """SELECT json_group_array(key), COUNT(*),
  SUM(NOT EXISTS (SELECT 1 FROM example_keys AS k WHERE k.key = v.key))
FROM example_versions AS v WHERE v.seq > ?"""
"""The keys of the versions appended after a ``seq``, how many, and how many keys are new, as one
row: each row a statement returns takes the GIL again, and a learner's writer thread would wait
for it behind the thread reading the next batch (``RETURNING`` the keys made the writer 50% slower)."""
_KEYS_PUT = """INSERT INTO example_keys (key, seq) SELECT key, seq FROM example_versions WHERE seq > ?
ON CONFLICT (key) DO UPDATE SET seq = excluded.seq"""
_CURRENT = "SELECT v.* FROM example_keys AS k JOIN example_versions AS v ON v.seq = k.seq"
_COMPACT_MIN = 1000
"""Superseded versions are deleted once there are at least as many of them as examples, and this
many at least (one ``DELETE`` of many rows dirties each page once; deleting each version as it is
superseded dirtied a random page per example)."""
_MAX_VARIABLES = 30000
"""Bound parameters per statement at most (SQLite allows 32,766 by default)."""


def _record(row: Any) -> CellRecord:
    values = list(row)
    values[10], values[11] = bool(values[10]), bool(values[11])
    return CellRecord._make(values)


__all__ = [
    "ExampleStore",
    "LearnStore",
    "MemoryStore",
    "RecordStore",
    "SqliteStore",
    "WatermarkStore",
    "newest_per_key",
]


class ExampleStore(Protocol):
    def put(self, example: Example) -> bool:
        """Insert, or replace the example with the same key if this one is newer.

        Returns whether anything changed (an identical or older example changes nothing).
        """
        ...

    def get(self, key: str) -> Example | None: ...

    def put_many(self, examples: list[Example]) -> list[Example]:
        """``put`` each (a batch); returns the examples that changed something."""
        ...

    def since(self, seq: int) -> tuple[list[Example], int]:
        """Examples changed after sequence number ``seq``, and the latest sequence number."""
        ...

    def __len__(self) -> int: ...


class RecordStore(Protocol):
    def record(self, cell_id: str) -> CellRecord | None: ...

    def records_for(self, cell_ids: list[str]) -> dict[str, CellRecord]:
        """The records that exist among ``cell_ids`` (one round trip for a batch). Never waits
        for a transaction of another thread: it reads what that one has not yet committed
        over (a learner reads its next batch's records while it commits the last)."""
        ...

    def put_record(self, record: CellRecord) -> None: ...

    def put_records(self, records: list[CellRecord]) -> None: ...


class WatermarkStore(Protocol):
    def watermark(self, name: str) -> Watermark: ...

    def set_watermark(self, name: str, mark: Watermark) -> None: ...


class LearnStore(ExampleStore, RecordStore, WatermarkStore, Protocol):
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Everything written inside commits together, or not at all."""
        ...


def _newer(new: Example, old: Example | None) -> bool:
    if old is None:
        return True
    if (new.ts, new.event_id) < (old.ts, old.event_id):
        return False
    return new != old


def newest_per_key(examples: list[Example]) -> list[Example]:
    """The newest example of each key among ``examples``."""
    latest: dict[str, Example] = {}
    for example in examples:
        if _newer(example, latest.get(example.key)):
            latest[example.key] = example
    return list(latest.values())


class MemoryStore:
    """A ``LearnStore`` in dictionaries. Transactions are real: an exception rolls back."""

    def __init__(self) -> None:
        self._examples: dict[str, tuple[int, Example]] = {}
        self._records: dict[str, CellRecord] = {}
        self._marks: dict[str, Watermark] = {}
        self._seq = 0
        self._lock = threading.RLock()

    def put(self, example: Example) -> bool:
        with self._lock:
            old = self._examples.get(example.key)
            if not _newer(example, old[1] if old else None):
                return False
            self._seq += 1
            self._examples[example.key] = (self._seq, example)
            return True

    def put_many(self, examples: list[Example]) -> list[Example]:
        return [e for e in newest_per_key(examples) if self.put(e)]

    def get(self, key: str) -> Example | None:
        found = self._examples.get(key)
        return found[1] if found else None

    def since(self, seq: int) -> tuple[list[Example], int]:
        with self._lock:
            if seq >= self._seq:
                return [], self._seq
            rows = sorted(v for v in self._examples.values() if v[0] > seq)
            return [e for _, e in rows], self._seq

    def __len__(self) -> int:
        return len(self._examples)

    def record(self, cell_id: str) -> CellRecord | None:
        return self._records.get(cell_id)

    def records_for(self, cell_ids: list[str]) -> dict[str, CellRecord]:
        return {i: self._records[i] for i in cell_ids if i in self._records}

    def put_record(self, record: CellRecord) -> None:
        self._records[record.cell_id] = record

    def put_records(self, records: list[CellRecord]) -> None:
        for record in records:
            self._records[record.cell_id] = record

    def records(self) -> list[CellRecord]:
        return list(self._records.values())

    def watermark(self, name: str) -> Watermark:
        return self._marks.get(name, Watermark())

    def set_watermark(self, name: str, mark: Watermark) -> None:
        self._marks[name] = mark

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            saved = (dict(self._examples), dict(self._records), dict(self._marks), self._seq)
            try:
                yield
            except BaseException:
                self._examples, self._records, self._marks, self._seq = saved
                raise


_SCHEMA = """
CREATE TABLE IF NOT EXISTS example_versions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  query TEXT NOT NULL,
  answer TEXT NOT NULL,
  language TEXT NOT NULL,
  ts TEXT NOT NULL,
  event_id TEXT NOT NULL,
  cell_id TEXT NOT NULL,
  source TEXT NOT NULL,
  notebook TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS example_keys (key TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS example_counts (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  live INTEGER NOT NULL,
  versions INTEGER NOT NULL
);
INSERT OR IGNORE INTO example_counts VALUES (0, 0, 0);
CREATE TABLE IF NOT EXISTS records (
  cell_id TEXT PRIMARY KEY,
  generated TEXT,
  executed TEXT,
  exit_code INTEGER,
  trace_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  generate_source TEXT NOT NULL,
  execute_source TEXT NOT NULL,
  generated_at TEXT NOT NULL,
  executed_at TEXT NOT NULL,
  accepted INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  runs INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS watermarks (name TEXT PRIMARY KEY, data TEXT NOT NULL);
"""
_FROM_ONE_TABLE = (
    f"INSERT INTO example_versions (seq, {', '.join(EXAMPLE_FIELDS)}) "
    f"SELECT seq, {', '.join(EXAMPLE_FIELDS)} FROM examples ORDER BY seq",
    "INSERT INTO example_keys (key, seq) SELECT key, seq FROM examples",
    "UPDATE example_counts SET live = (SELECT COUNT(*) FROM examples), "
    "versions = (SELECT COUNT(*) FROM examples)",
    "DROP TABLE examples",
)
"""Stores written before versions were kept apart from keys held one ``examples`` table (one row
per key, replaced in place); opening one moves its rows over once."""


def _row(e: Example) -> tuple[str, ...]:
    """The ``EXAMPLE_FIELDS`` of an example (``Example.to_row`` in that order, without the dict)."""
    return (
        e.key,
        encode_query(e.query),
        e.answer,
        e.language,
        e.ts,
        e.event_id,
        e.cell_id,
        e.source,
        e.notebook,
        e.outcome,
    )


class SqliteStore:
    """A ``LearnStore`` in one SQLite file (WAL mode; safe with other readers).

    Examples are versions appended to ``example_versions`` (each with the next ``seq``, which is
    what ``since`` relies on), and ``example_keys`` names each key's current one: an update
    appends and repoints, rather than deleting a row from the middle of the table. Superseded
    versions are deleted in bulk (``_COMPACT_MIN``).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        self._reader: sqlite3.Connection | None = None
        """A second connection, for reading while another thread holds ``_db`` (WAL mode lets
        it read the last commit meanwhile)."""
        self._reader_lock = threading.Lock()
        with self._lock:
            self._max_variables = min(
                _MAX_VARIABLES, self._db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            )
            self._db.execute("PRAGMA busy_timeout=10000")
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA cache_size=-65536")  # 64 MiB: the key index stays in memory
            self._db.executescript(_SCHEMA)
            self._migrate()

    def _migrate(self) -> None:
        """Move a store in the one-table layout over, once (asked again inside the transaction:
        another process opening the same file may have just done it)."""
        if not self._has_table("examples"):
            return
        with self.transaction():
            if self._has_table("examples"):
                for statement in _FROM_ONE_TABLE:
                    self._db.execute(statement)

    def _has_table(self, name: str) -> bool:
        found = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return found is not None

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """``_db`` when this thread may use it now (no transaction, or its own), else the
        reader connection: a read never waits for another thread's transaction (an in-memory
        database has no second connection, so there it waits)."""
        if self._lock.acquire(blocking=self.path == ":memory:"):
            try:
                yield self._db
            finally:
                self._lock.release()
            return
        with self._reader_lock:
            if self._reader is None:
                self._reader = sqlite3.connect(self.path, check_same_thread=False)
                self._reader.execute("PRAGMA busy_timeout=10000")
            yield self._reader

    def _insert(self, insert: str, rows: Sequence[Sequence[Any]], tail: str = "") -> list[Any]:
        """``{insert} VALUES (?, ...), ...{tail}`` for ``rows``, as many per statement as the
        parameter limit allows; the rows it returns (``RETURNING``). One statement runs inside
        SQLite without the GIL, where ``executemany`` takes it back for every row, so a
        learner's writer thread overlaps with the thread reading the next batch (and binding
        is cheaper too)."""
        if not rows:
            return []
        width = len(rows[0])
        per = max(1, self._max_variables // width)
        one = f"({','.join('?' * width)})"
        out: list[Any] = []
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            sql = f"{insert} VALUES {','.join([one] * len(chunk))}{tail}"
            out += self._db.execute(sql, list(itertools.chain.from_iterable(chunk))).fetchall()
        return out

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    def put(self, example: Example) -> bool:
        return bool(self.put_many([example]))

    def put_many(self, examples: list[Example]) -> list[Example]:
        latest = newest_per_key(examples)
        if not latest:
            return []
        rows = [_row(e) for e in latest]
        with self._lock, self.transaction():
            before = self._last_seq()
            self._insert(_EXAMPLE_PUT[0], rows, _EXAMPLE_PUT[1])
            keys, appended, new_keys = self._db.execute(_APPENDED, (before,)).fetchone()
            self._db.execute(_KEYS_PUT, (before,))
            live, versions = self._db.execute(
                "UPDATE example_counts SET live = live + ?, versions = versions + ? "
                "RETURNING live, versions",
                (new_keys or 0, appended),
            ).fetchone()
            if versions - live >= max(live, _COMPACT_MIN):
                self._compact(live)
        written = set(json.loads(keys))
        return [e for e in latest if e.key in written]

    def _compact(self, live: int) -> None:
        """Delete every superseded version (inside the caller's transaction)."""
        self._db.execute(
            "DELETE FROM example_versions WHERE seq NOT IN (SELECT seq FROM example_keys)"
        )
        self._db.execute("UPDATE example_counts SET versions = ?", (live,))

    def get(self, key: str) -> Example | None:
        with self._lock:
            row = self._db.execute(f"{_CURRENT} WHERE k.key = ?", (key,)).fetchone()
        return Example.from_row(row) if row else None

    def since(self, seq: int) -> tuple[list[Example], int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT v.* FROM example_versions AS v WHERE v.seq > ? "
                "AND v.seq = (SELECT k.seq FROM example_keys AS k WHERE k.key = v.key) "
                "ORDER BY v.seq",
                (seq,),
            ).fetchall()
            last = self._last_seq()
        return [Example.from_row(r) for r in rows], max(last, seq)

    def _last_seq(self) -> int:
        return int(
            self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM example_versions").fetchone()[0]
        )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT live FROM example_counts").fetchone()[0])

    def record(self, cell_id: str) -> CellRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(RECORD_FIELDS)} FROM records WHERE cell_id = ?", (cell_id,)
            ).fetchone()
        return _record(row) if row else None

    def put_record(self, record: CellRecord) -> None:
        with self._lock:
            self._insert(_RECORD_INSERT, [record])

    def records_for(self, cell_ids: list[str]) -> dict[str, CellRecord]:
        out: dict[str, CellRecord] = {}
        with self._reading() as db:
            for i in range(0, len(cell_ids), self._max_variables):
                chunk = cell_ids[i : i + self._max_variables]
                rows = db.execute(
                    f"SELECT {', '.join(RECORD_FIELDS)} FROM records "
                    f"WHERE cell_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
                for row in rows:
                    record = _record(row)
                    out[record.cell_id] = record
        return out

    def put_records(self, records: list[CellRecord]) -> None:
        with self._lock:
            self._insert(_RECORD_INSERT, records)

    def records(self) -> list[CellRecord]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(RECORD_FIELDS)} FROM records").fetchall()
        return [_record(r) for r in rows]

    def watermark(self, name: str) -> Watermark:
        with self._lock:
            row = self._db.execute("SELECT data FROM watermarks WHERE name = ?", (name,)).fetchone()
        return Watermark.from_json(row[0]) if row else Watermark()

    def set_watermark(self, name: str, mark: Watermark) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO watermarks (name, data) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET data = excluded.data",
                (name, mark.to_json()),
            )
