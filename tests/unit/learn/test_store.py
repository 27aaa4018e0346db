import uuid
from pathlib import Path

import pytest

from conftest import markup, run
from waypost.learn.eventlog import Watermark
from waypost.learn.records import CellRecord, example_from_execute
from waypost.learn.store import MemoryStore, SqliteStore
from waypost.store.database import Database
from waypost.store.learning import PostgresLearnStore


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request, tmp_path: Path):
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        db = SqliteStore(tmp_path / "learn.sqlite")
        yield db
        db.close()
    else:
        database = Database(
            request.getfixturevalue("pg_url"), team=f"team-{uuid.uuid4().hex[:8]}", max_size=4
        )
        yield PostgresLearnStore(database)
        database.close()


def _example(command: str, ts: str, text: str = "Restart auth."):
    example = example_from_execute(run("c", command, [markup(text)], ts=ts), None)
    assert example is not None
    return example


def test_newest_example_with_the_same_request_wins(store):
    assert store.put(_example("old", "2024-01-01T00:00:00Z"))
    assert store.put(_example("new", "2024-01-02T00:00:00Z"))
    assert not store.put(_example("older", "2023-12-31T00:00:00Z"))
    examples, _ = store.since(0)
    assert [e.answer for e in examples] == ["new"]


def test_putting_the_same_example_twice_changes_nothing(store):
    example = _example("ls", "2024-01-01T00:00:00Z")
    assert store.put(example)
    _, seq = store.since(0)
    assert not store.put(example)
    assert store.since(seq) == ([], seq)
    assert len(store) == 1


def test_put_many_keeps_the_newest_of_each_request_and_says_what_changed(store):
    kept = _example("kept", "2024-01-02T00:00:00Z", "Kept.")
    store.put_many([_example("stale", "2024-01-01T00:00:00Z"), kept])
    _, seq = store.since(0)
    batch = [
        _example("newer", "2024-01-03T00:00:00Z"),  # replaces "stale"
        _example("newest", "2024-01-04T00:00:00Z"),  # and this one replaces it in the batch
        _example("older", "2023-12-31T00:00:00Z", "Kept."),
        kept,  # the same example again
        _example("fresh", "2024-01-01T00:00:00Z", "Fresh."),
    ]
    changed = store.put_many(batch)
    assert sorted(e.answer for e in changed) == ["fresh", "newest"]
    assert sorted(e.answer for e in store.since(seq)[0]) == ["fresh", "newest"]
    assert sorted(e.answer for e in store.since(0)[0]) == ["fresh", "kept", "newest"]
    assert len(store) == 3


def test_since_returns_only_examples_changed_after_a_sequence_number(store):
    store.put(_example("a", "2024-01-01T00:00:00Z", "A."))
    _, seq = store.since(0)
    store.put(_example("b", "2024-01-01T00:00:01Z", "B."))
    changed, _ = store.since(seq)
    assert [e.answer for e in changed] == ["b"]


def test_a_failed_transaction_leaves_nothing_behind(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.put(_example("a", "2024-01-01T00:00:00Z"))
        store.put_record(CellRecord("c1", executed="a"))
        store.set_watermark("events", Watermark("events.jsonl", 10))
        raise RuntimeError("crash")
    assert len(store) == 0
    assert store.record("c1") is None
    assert store.watermark("events") == Watermark()


def test_sqlite_store_keeps_everything_across_reopening(tmp_path: Path):
    path = tmp_path / "learn.sqlite"
    db = SqliteStore(path)
    db.put(_example("a", "2024-01-01T00:00:00Z"))
    db.put_record(CellRecord("c1", generated="a", executed="a", exit_code=0))
    db.set_watermark("events", Watermark("events.jsonl", 42, 9, 3))
    db.close()
    again = SqliteStore(path)
    assert [e.answer for e in again.since(0)[0]] == ["a"]
    assert again.record("c1") == CellRecord("c1", generated="a", executed="a", exit_code=0)
    assert again.watermark("events") == Watermark("events.jsonl", 42, 9, 3)
    again.close()
