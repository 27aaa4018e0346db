"""A team's PostgreSQL database: one connection pool per process, and the schema's migrations.

Every table carries a ``team`` column and every query filters on it, so teams sharing a database
never see each other's sessions, events or examples. Migrations are numbered and applied at start
under an advisory lock, so replicas starting together apply each one exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from waypost.errors import ConfigError

__all__ = ["MIGRATIONS", "Database"]

_LOCK_KEY = 0x5761_7970  # "Wayp": the advisory lock migrations run under

MIGRATIONS: list[str] = [
    # 1: sessions, the event log, replicas and where executions run
    """
    CREATE TABLE sessions (
        team text NOT NULL,
        id text NOT NULL,
        env jsonb NOT NULL,
        metadata jsonb NOT NULL,
        version integer NOT NULL,
        created double precision NOT NULL,
        updated double precision NOT NULL,
        PRIMARY KEY (team, id)
    );
    CREATE INDEX sessions_recent ON sessions (team, updated DESC);
    CREATE TABLE events (
        seq bigserial PRIMARY KEY,
        tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
        team text NOT NULL,
        id text NOT NULL,
        type text NOT NULL,
        line text NOT NULL,
        UNIQUE (team, id)
    );
    CREATE INDEX events_team_tx ON events (team, tx, seq);
    CREATE TABLE replicas (
        id text PRIMARY KEY,
        url text NOT NULL,
        seen timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE executions (
        team text NOT NULL,
        id text NOT NULL,
        session_id text NOT NULL,
        replica text NOT NULL,
        name text NOT NULL DEFAULT '',
        background boolean NOT NULL DEFAULT false,
        started timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team, id)
    );
    """,
    # 2: what the learner derives (examples searchable in full text), shared by the replicas
    """
    CREATE SEQUENCE learn_example_seq;
    CREATE TABLE examples (
        team text NOT NULL,
        key text NOT NULL,
        seq bigint NOT NULL DEFAULT nextval('learn_example_seq'),
        query text NOT NULL,
        answer text NOT NULL,
        language text NOT NULL,
        ts text NOT NULL,
        event_id text NOT NULL,
        cell_id text NOT NULL,
        source text NOT NULL,
        notebook text NOT NULL,
        outcome text NOT NULL,
        request text NOT NULL,
        doc tsvector GENERATED ALWAYS AS (to_tsvector('simple', request || ' ' || answer)) STORED,
        PRIMARY KEY (team, key)
    );
    CREATE INDEX examples_team_seq ON examples (team, seq);
    CREATE INDEX examples_doc ON examples USING gin (doc);
    CREATE TABLE cell_records (
        team text NOT NULL,
        cell_id text NOT NULL,
        generated text,
        executed text,
        exit_code integer,
        trace_id text NOT NULL,
        provider text NOT NULL,
        generate_source text NOT NULL,
        execute_source text NOT NULL,
        generated_at text NOT NULL,
        executed_at text NOT NULL,
        accepted boolean NOT NULL,
        rejected boolean NOT NULL,
        runs integer NOT NULL,
        PRIMARY KEY (team, cell_id)
    );
    CREATE TABLE learn_watermarks (
        team text NOT NULL,
        name text NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (team, name)
    );
    """,
]


class Database:
    """A connection pool to ``url``, scoped to one ``team``; migrates the schema on open."""

    def __init__(
        self, url: str, *, team: str = "default", min_size: int = 1, max_size: int = 20
    ) -> None:
        try:
            from psycopg_pool import ConnectionPool
        except ImportError as exc:  # pragma: no cover - psycopg is a dependency
            raise ConfigError("PostgreSQL support needs psycopg", where="store.url") from exc
        if not team:
            raise ConfigError("a team name is required", where="server.team")
        self.url = url
        self.team = team
        self._pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, open=False, kwargs={"autocommit": True},
            name="waypost",
        )  # fmt: skip
        try:
            self._pool.open(wait=True, timeout=15)
        except Exception as exc:
            raise ConfigError(f"cannot connect to PostgreSQL: {exc}", where="store.url") from None
        self._closed = threading.Event()
        self.migrate()

    @contextmanager
    def connection(self) -> Iterator[Any]:
        with self._pool.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.transaction():
            yield conn

    def migrate(self) -> int:
        """Apply the migrations not applied yet; returns the schema version."""
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS waypost_schema (version integer PRIMARY KEY, "
                "applied timestamptz NOT NULL DEFAULT now())"
            )
            row = conn.execute("SELECT coalesce(max(version), 0) FROM waypost_schema").fetchone()
            current = int(row[0])
            for number, script in enumerate(MIGRATIONS, start=1):
                if number > current:
                    conn.execute(script)
                    conn.execute("INSERT INTO waypost_schema (version) VALUES (%s)", (number,))
            return len(MIGRATIONS)

    def ready(self) -> bool:
        """The database answers (for ``/readyz``)."""
        try:
            with self.connection() as conn:
                conn.execute("SELECT 1").fetchone()
            return True
        except Exception:
            return False

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self._pool.close()
