"""Session stores: the same contract in memory and in PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from waypost.errors import SessionConflictError
from waypost.runner import MemorySessionStore, Session, SessionId, SessionStore
from waypost.runner.store import update_session
from waypost.store.database import Database
from waypost.store.sessions import PostgresSessionStore


@pytest.fixture(params=["memory", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[SessionStore]:
    if request.param == "memory":
        yield MemorySessionStore()
    else:
        yield PostgresSessionStore(request.getfixturevalue("database"))


def test_put_get_list_delete(store: SessionStore) -> None:
    a = Session(SessionId("a"), {"X": "1"}, {"m": "v"}, 1, 10.0, 10.0)
    b = Session(SessionId("b"), {}, {}, 1, 11.0, 11.0)
    store.put(a, expected_version=0)
    store.put(b, expected_version=0)
    assert store.get(SessionId("a")) == a
    assert [s.id for s in store.list()] == ["b", "a"]
    assert store.delete(SessionId("a")) and not store.delete(SessionId("a"))
    assert store.get(SessionId("a")) is None


def test_a_write_over_a_stale_version_is_refused(store: SessionStore) -> None:
    first = Session(SessionId("s"), {"A": "1"}, {}, 1, 1.0, 1.0)
    store.put(first, expected_version=0)
    store.put(first.changed(env={"A": "2"}), expected_version=1)
    with pytest.raises(SessionConflictError):
        store.put(first.changed(env={"A": "stale"}), expected_version=1)
    with pytest.raises(SessionConflictError):
        store.put(first, expected_version=0)
    assert store.get(SessionId("s")).env == {"A": "2"}  # type: ignore[union-attr]


def test_concurrent_updates_all_land(store: SessionStore) -> None:
    store.put(Session(SessionId("c"), {}, {}, 1, 1.0, 1.0), expected_version=0)

    def add(name: str) -> None:
        update_session(
            store, SessionId("c"), lambda s: s.changed(env={**s.env, name: "1"}), attempts=200
        )

    threads = [threading.Thread(target=add, args=(f"V{i}",)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(store.get(SessionId("c")).env) == {f"V{i}" for i in range(16)}  # type: ignore[union-attr]


def test_teams_do_not_see_each_others_sessions(database: Database, pg_url: str) -> None:
    other = Database(pg_url, team=database.team + "-other", max_size=2)
    try:
        mine, theirs = PostgresSessionStore(database), PostgresSessionStore(other)
        mine.put(Session(SessionId("same"), {"WHO": "me"}, {}, 1, 1.0, 1.0), expected_version=0)
        assert theirs.get(SessionId("same")) is None and theirs.list() == []
    finally:
        other.close()
