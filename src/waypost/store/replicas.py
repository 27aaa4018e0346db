"""Which replica runs what: a team's servers share sessions, but a process lives on one machine.

Each replica registers the URL its peers reach it at and renews it every few seconds. Every
execution it starts is recorded with its owner until it ends, so any replica can list what runs in
the team and pass a stop to the replica that owns the process. Rows of a replica that stopped
renewing (killed, partitioned) are ignored and then cleaned up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from waypost.runner import Execution
from waypost.store.database import Database

__all__ = ["ALIVE_SECONDS", "RemoteExecution", "ReplicaRegistry"]

ALIVE_SECONDS = 15
"""A replica that has not renewed its row for this long is taken for dead."""


@dataclass(frozen=True, slots=True)
class RemoteExecution:
    id: str
    session_id: str
    replica: str
    url: str
    name: str
    background: bool


class ReplicaRegistry:
    """This replica's row, its executions, and what its peers run. An ``ExecutionObserver``."""

    def __init__(self, db: Database, replica_id: str, url: str, *, interval: float = 5.0) -> None:
        self.db = db
        self.id = replica_id
        self.url = url
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.renew()

    def renew(self) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO replicas (id, url, seen) VALUES (%s, %s, now()) "
                "ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, seen = now()",
                (self.id, self.url),
            )
            # executions of replicas long gone can never end on their own
            conn.execute(
                "DELETE FROM executions WHERE team = %s AND replica IN (SELECT id FROM replicas "
                "WHERE seen < now() - make_interval(secs => %s))",
                (self.db.team, ALIVE_SECONDS * 4),
            )

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.renew()
                except Exception:  # the database may be briefly away; try again next time
                    continue

        self._thread = threading.Thread(target=loop, name="replica-heartbeat", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "DELETE FROM executions WHERE team = %s AND replica = %s",
                    (self.db.team, self.id),
                )
                conn.execute("DELETE FROM replicas WHERE id = %s", (self.id,))
        except Exception:
            pass  # peers will see it as dead soon enough

    # -- ExecutionObserver --------------------------------------------------------------------

    def started(self, execution: Execution) -> None:
        request = execution.request
        with self.db.connection() as conn:
            conn.execute(
                "INSERT INTO executions (team, id, session_id, replica, name, background) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (self.db.team, execution.id, execution.session_id, self.id, request.known_name,
                 request.background),
            )  # fmt: skip

    def finished(self, execution: Execution, exit_code: int) -> None:
        with self.db.connection() as conn:
            conn.execute(
                "DELETE FROM executions WHERE team = %s AND id = %s", (self.db.team, execution.id)
            )

    # -- the team -----------------------------------------------------------------------------

    def running(self, *, session_id: str | None = None) -> list[RemoteExecution]:
        """Executions running on live replicas of the team (this one included)."""
        query = (
            "SELECT e.id, e.session_id, e.replica, r.url, e.name, e.background FROM executions e "
            "JOIN replicas r ON r.id = e.replica WHERE e.team = %s "
            "AND r.seen > now() - make_interval(secs => %s)"
        )
        params: list[object] = [self.db.team, ALIVE_SECONDS]
        if session_id is not None:
            query += " AND e.session_id = %s"
            params.append(session_id)
        with self.db.connection() as conn:
            rows = conn.execute(query + " ORDER BY e.started", params).fetchall()
        return [RemoteExecution(*row) for row in rows]

    def owner(self, execution_id: str) -> RemoteExecution | None:
        for found in self.running():
            if found.id == execution_id:
                return found
        return None
