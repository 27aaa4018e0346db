"""Where sessions live: a small protocol, and the in-memory LRU store a single process uses.

A PostgreSQL store for servers with several replicas implements the same protocol; the version
number on each session is what keeps two replicas from overwriting each other's changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from waypost.errors import SessionConflictError, SessionNotFoundError
from waypost.runner.session import Session, SessionId

__all__ = ["DEFAULT_CAPACITY", "MemorySessionStore", "SessionStore", "update_session"]

DEFAULT_CAPACITY = 1024
"""Runme keeps this many sessions and evicts the least recently used."""


class SessionStore(Protocol):
    """Sessions by id. Implementations are safe to call from several threads."""

    def get(self, session_id: SessionId) -> Session | None:
        """The current version, or ``None``."""
        ...

    def put(self, session: Session, *, expected_version: int) -> None:
        """Store ``session`` if the stored version is ``expected_version`` (``0``: not stored yet).

        Raises ``SessionConflictError`` otherwise, so the caller can re-read and retry.
        """
        ...

    def list(self) -> list[Session]:
        """Every session, most recently created or changed first."""
        ...

    def delete(self, session_id: SessionId) -> bool:
        """Forget a session; ``False`` if it was not there."""
        ...


class MemorySessionStore:
    """An LRU of sessions in this process; the least recently used is dropped when full."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._sessions: OrderedDict[SessionId, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: SessionId) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

    def put(self, session: Session, *, expected_version: int) -> None:
        with self._lock:
            stored = self._sessions.get(session.id)
            version = stored.version if stored is not None else 0
            if version != expected_version:
                raise SessionConflictError(
                    f"stored version is {version}, not {expected_version}",
                    where=f"session {session.id}",
                )
            self._sessions[session.id] = session
            self._sessions.move_to_end(session.id)
            while len(self._sessions) > self.capacity:
                self._sessions.popitem(last=False)

    def list(self) -> list[Session]:
        with self._lock:
            return list(reversed(self._sessions.values()))

    def delete(self, session_id: SessionId) -> bool:
        with self._lock:
            return self._sessions.pop(session_id, None) is not None


def update_session(
    store: SessionStore,
    session_id: SessionId,
    change: Callable[[Session], Session],
    *,
    attempts: int = 20,
) -> Session:
    """Read, change and write a session, retrying when another writer got there first."""
    for _ in range(attempts):
        current = store.get(session_id)
        if current is None:
            raise SessionNotFoundError("no such session", where=f"session {session_id}")
        updated = change(current)
        try:
            store.put(updated, expected_version=current.version)
        except SessionConflictError:
            continue
        return updated
    raise SessionConflictError("too many concurrent updates", where=f"session {session_id}")
