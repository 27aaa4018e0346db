"""Sessions in PostgreSQL, so any replica can run the next cell of any session.

Same contract as the runner's in-memory store: ``put`` succeeds only over the version it read, so
two replicas changing one session never lose each other's update (the runner retries).
"""

from __future__ import annotations

import json

from waypost.errors import SessionConflictError
from waypost.runner import Session, SessionId
from waypost.store.database import Database

__all__ = ["PostgresSessionStore"]

_COLUMNS = "id, env, metadata, version, created, updated"


def _session(row: tuple) -> Session:
    ident, env, metadata, version, created, updated = row
    return Session(SessionId(ident), env, metadata, version, created, updated)


class PostgresSessionStore:
    def __init__(self, db: Database, *, capacity: int = 10_000) -> None:
        self.db = db
        self.capacity = capacity

    def get(self, session_id: SessionId) -> Session | None:
        with self.db.connection() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM sessions WHERE team = %s AND id = %s",
                (self.db.team, session_id),
            ).fetchone()
        return _session(row) if row else None

    def put(self, session: Session, *, expected_version: int) -> None:
        values = (json.dumps(dict(session.env)), json.dumps(dict(session.metadata)), session.version,
                  session.created, session.updated)  # fmt: skip
        with self.db.transaction() as conn:
            if expected_version == 0:
                inserted = conn.execute(
                    f"INSERT INTO sessions (team, {_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    (self.db.team, session.id, *values),
                ).rowcount
                changed = inserted == 1
            else:
                changed = (
                    conn.execute(
                        "UPDATE sessions SET env = %s, metadata = %s, version = %s, created = %s, updated = %s "
                        "WHERE team = %s AND id = %s AND version = %s",
                        (*values, self.db.team, session.id, expected_version),
                    ).rowcount
                    == 1
                )
            if not changed:
                raise SessionConflictError(
                    f"the stored session is not at version {expected_version}",
                    where=f"session {session.id}",
                )
            if expected_version == 0:
                self._evict(conn)

    def _evict(self, conn: object) -> None:
        conn.execute(  # type: ignore[attr-defined]
            "DELETE FROM sessions WHERE team = %s AND id IN (SELECT id FROM sessions WHERE team = %s "
            "ORDER BY updated DESC OFFSET %s)",
            (self.db.team, self.db.team, self.capacity),
        )

    def list(self) -> list[Session]:
        with self.db.connection() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM sessions WHERE team = %s ORDER BY updated DESC, id DESC",
                (self.db.team,),
            ).fetchall()
        return [_session(r) for r in rows]

    def delete(self, session_id: SessionId) -> bool:
        with self.db.connection() as conn:
            return (
                conn.execute(
                    "DELETE FROM sessions WHERE team = %s AND id = %s", (self.db.team, session_id)
                ).rowcount
                == 1
            )
