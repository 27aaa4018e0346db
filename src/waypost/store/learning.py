"""What the learner derives, in the team's PostgreSQL: examples, cell records and the watermark.

``PostgresLearnStore`` implements ``waypost.learn.store.LearnStore`` for one team. Every replica
runs a learner over the shared event log; their write transactions take one advisory lock per
team, so batches commit one after the other and example sequence numbers become visible in order
(``since`` never skips one). The learner checks the watermark again inside its transaction, so
a batch another replica already committed is dropped, not applied twice.

Examples carry a full-text vector of their request and command (``simple`` configuration: no
stemming, no stop words, since commands and flags are not English), and ``search`` ranks them in
the database, so a replica need not hold a large team's history in memory.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

from waypost.learn import Watermark
from waypost.learn.lexicon import STOP_WORDS
from waypost.learn.records import (
    EXAMPLE_FIELDS,
    RECORD_FIELDS,
    CellRecord,
    Example,
    encode_query,
)
from waypost.learn.store import newest_per_key
from waypost.store.database import Database

__all__ = ["PostgresLearnStore"]

_LOCK_CLASS = 0x4C52  # "LR": with the team's hash, the advisory lock learning writes take

_COLUMNS = (*EXAMPLE_FIELDS, "request")
_FIELDS = ", ".join(EXAMPLE_FIELDS)
_SELECT = f"SELECT {_FIELDS} FROM examples"
_TERM = re.compile(r"[0-9a-z]+")
_MAX_TERMS = 64
"""Words of a request used to search (a pasted log should not make a huge query)."""
COMMON = 2000
"""A word in this many of a team's examples is too common to search by on its own."""
_COUNTS = """
SELECT term, (SELECT count(*) FROM (
    SELECT 1 FROM examples WHERE team = %s AND doc @@ to_tsquery('simple', term) LIMIT %s
) AS found)
FROM unnest(%s::text[]) AS term
"""

_UPSERT = f"""
INSERT INTO examples (team, {", ".join(_COLUMNS)})
SELECT %s, * FROM unnest({", ".join(["%s::text[]"] * len(_COLUMNS))})
ON CONFLICT (team, key) DO UPDATE SET
  {", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])},
  seq = nextval('learn_example_seq')
WHERE (excluded.ts, excluded.event_id) > (examples.ts, examples.event_id)
   OR ((excluded.ts, excluded.event_id) = (examples.ts, examples.event_id)
       AND excluded.answer <> examples.answer)
RETURNING key
"""

_RECORD_UPSERT = f"""
INSERT INTO cell_records (team, {", ".join(RECORD_FIELDS)})
VALUES (%s, {", ".join(["%s"] * len(RECORD_FIELDS))})
ON CONFLICT (team, cell_id) DO UPDATE SET
  {", ".join(f"{c} = excluded.{c}" for c in RECORD_FIELDS[1:])}
"""


def _request(example: Example) -> str:
    query = example.query
    return f"{query.intent}\n{query.context}"


def _example(row: tuple[Any, ...]) -> Example:
    """An example from a row of the ``EXAMPLE_FIELDS`` columns."""
    return Example.from_row(dict(zip(EXAMPLE_FIELDS, row, strict=True)))


def search_terms(text: str) -> list[str]:
    """The words of ``text`` to search by, in order, once each: letters and digits only (safe
    in a ``to_tsquery``), stop words left out ("the" would match nearly every example)."""
    seen: dict[str, None] = {}
    for word in _TERM.findall(text.lower()):
        if word not in STOP_WORDS:
            seen.setdefault(word, None)
            if len(seen) >= _MAX_TERMS:
                break
    return list(seen)


class PostgresLearnStore:
    """A ``LearnStore`` for ``db``'s team; thread-safe (each call takes a pooled connection)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._local = threading.local()

    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        """The transaction's connection inside ``transaction()``, a pooled one otherwise."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self.db.connection() as conn:
            yield conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:  # nested: part of the outer one
            yield
            return
        with self.db.transaction() as conn:
            conn.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, self.db.team)
            )
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def put(self, example: Example) -> bool:
        return bool(self.put_many([example]))

    def put_many(self, examples: list[Example]) -> list[Example]:
        latest = newest_per_key(examples)
        if not latest:
            return []
        columns: list[list[str]] = [[] for _ in _COLUMNS]
        for e in latest:
            row = (e.key, encode_query(e.query), e.answer, e.language, e.ts, e.event_id)
            row += (e.cell_id, e.source, e.notebook, e.outcome, _request(e))
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        with self.transaction(), self._conn() as conn:
            rows = conn.execute(_UPSERT, (self.db.team, *columns)).fetchall()
        changed = {r[0] for r in rows}
        return [e for e in latest if e.key in changed]

    def get(self, key: str) -> Example | None:
        with self._conn() as conn:
            row = conn.execute(
                f"{_SELECT} WHERE team = %s AND key = %s", (self.db.team, key)
            ).fetchone()
        return _example(row) if row else None

    def since(self, seq: int) -> tuple[list[Example], int]:
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT seq, {_FIELDS} FROM examples WHERE team = %s AND seq > %s ORDER BY seq",
                (self.db.team, seq),
            ).fetchall()
        if not rows:
            return [], max(seq, self._last_seq())
        return [_example(r[1:]) for r in rows], max(seq, int(rows[-1][0]))

    def _last_seq(self) -> int:
        return self._count("SELECT coalesce(max(seq), 0) FROM examples WHERE team = %s")

    def _count(self, sql: str) -> int:
        """A number the team's ``sql`` (one ``%s``: the team) returns."""
        with self._conn() as conn:
            row = conn.execute(sql, (self.db.team,)).fetchone()
        return int(row[0])

    def search(self, text: str, k: int) -> list[Example]:
        """The ``k`` examples whose request or command best match the words of ``text``.

        A quarter are examples with every word (the index finds them at once; more would be
        near copies of one another), the rest have any of the words that are not common:
        ranking every example that shares a common word would read most of the table, and such
        a word says little about which example is meant.
        """
        terms = search_terms(text)
        if not terms:
            return []
        with self._conn() as conn:
            rows = self._ranked(conn, " & ".join(terms), k // 4 if len(terms) > 1 else k)
            if len(rows) < k and len(terms) > 1:
                counts = conn.execute(_COUNTS, (self.db.team, COMMON, terms)).fetchall()
                rare = [term for term, count in counts if count < COMMON]
                if rare:
                    keys = {row[0] for row in rows}
                    more = self._ranked(conn, " | ".join(rare), k)
                    rows += [row for row in more if row[0] not in keys][: k - len(rows)]
        return [_example(r) for r in rows]

    def newest(self, n: int) -> list[Example]:
        """The ``n`` most recently changed examples, oldest first."""
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {_FIELDS} FROM (SELECT {_FIELDS}, seq FROM examples WHERE team = %s "
                "ORDER BY seq DESC LIMIT %s) AS recent ORDER BY seq",
                (self.db.team, n),
            ).fetchall()
        return [_example(r) for r in rows]

    def _ranked(self, conn: Any, query: str, k: int) -> list[tuple[Any, ...]]:
        return list(
            conn.execute(
                f"{_SELECT}, to_tsquery('simple', %s) q WHERE team = %s AND doc @@ q "
                "ORDER BY ts_rank(doc, q) DESC, seq DESC LIMIT %s",
                (query, self.db.team, k),
            ).fetchall()
        )

    def __len__(self) -> int:
        return self._count("SELECT count(*) FROM examples WHERE team = %s")

    def record(self, cell_id: str) -> CellRecord | None:
        return self.records_for([cell_id]).get(cell_id)

    def records_for(self, cell_ids: list[str]) -> dict[str, CellRecord]:
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(RECORD_FIELDS)} FROM cell_records "
                "WHERE team = %s AND cell_id = ANY(%s)",
                (self.db.team, list(cell_ids)),
            ).fetchall()
        return {r[0]: CellRecord._make(r) for r in rows}

    def put_record(self, record: CellRecord) -> None:
        self.put_records([record])

    def put_records(self, records: list[CellRecord]) -> None:
        if not records:
            return
        with self.transaction(), self._conn() as conn, conn.cursor() as cursor:
            cursor.executemany(_RECORD_UPSERT, [(self.db.team, *r) for r in records])

    def records(self) -> list[CellRecord]:
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(RECORD_FIELDS)} FROM cell_records WHERE team = %s",
                (self.db.team,),
            ).fetchall()
        return [CellRecord._make(r) for r in rows]

    def watermark(self, name: str) -> Watermark:
        with self._conn() as conn:
            row = conn.execute(
                "SELECT data FROM learn_watermarks WHERE team = %s AND name = %s",
                (self.db.team, name),
            ).fetchone()
        return Watermark.from_json(row[0]) if row else Watermark()

    def set_watermark(self, name: str, mark: Watermark) -> None:
        with self.transaction(), self._conn() as conn:
            conn.execute(
                "INSERT INTO learn_watermarks (team, name, data) VALUES (%s, %s, %s) "
                "ON CONFLICT (team, name) DO UPDATE SET data = excluded.data",
                (self.db.team, name, mark.to_json()),
            )

    def close(self) -> None:
        """Nothing of its own to close: the ``Database`` pool is shared."""
