from __future__ import annotations

import threading

import pytest

from waypost.errors import SessionConflictError, SessionNotFoundError
from waypost.runner.session import SessionId, new_session
from waypost.runner.store import MemorySessionStore, update_session


def test_put_get_list_delete():
    store = MemorySessionStore()
    a, b = new_session(), new_session()
    store.put(a, expected_version=0)
    store.put(b, expected_version=0)
    assert store.get(a.id) == a
    assert [s.id for s in store.list()] == [b.id, a.id]
    assert store.delete(a.id)
    assert not store.delete(a.id)
    assert store.get(a.id) is None


def test_stale_write_is_refused():
    store = MemorySessionStore()
    session = new_session()
    store.put(session, expected_version=0)
    store.put(session.changed(env={"A": "1"}), expected_version=1)
    with pytest.raises(SessionConflictError):
        store.put(session.changed(env={"B": "1"}), expected_version=1)


def test_least_recently_used_session_is_evicted_at_capacity():
    store = MemorySessionStore(capacity=2)
    sessions = [new_session() for _ in range(3)]
    for s in sessions:
        store.put(s, expected_version=0)
    assert store.get(sessions[0].id) is None
    assert len(store.list()) == 2


def test_concurrent_updates_all_land():
    store = MemorySessionStore()
    session = new_session()
    store.put(session, expected_version=0)

    def add(i: int) -> None:
        update_session(store, session.id, lambda s: s.changed(env={**s.env, f"V{i}": "1"}))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = store.get(session.id)
    assert len(final.env) == 20
    assert final.version == 21


def test_update_of_an_unknown_session_fails():
    with pytest.raises(SessionNotFoundError):
        update_session(MemorySessionStore(), SessionId("nope"), lambda s: s)
