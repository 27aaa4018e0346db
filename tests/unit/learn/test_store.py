import sqlite3
import threading
import uuid
from pathlib import Path

import pytest

from conftest import markup, run
from waypost.learn import store as learn_store
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


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_sqlite_keeps_only_current_versions_visible_and_deletes_superseded_ones_in_bulk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(learn_store, "_COMPACT_MIN", 4)
    path = tmp_path / "learn.sqlite"
    db = SqliteStore(path)
    db.put(_example("other", "2024-01-01T00:00:00Z", "Other."))
    for day in range(1, 10):
        db.put(_example(f"v{day}", f"2024-02-{day:02d}T00:00:00Z"))
        assert [e.answer for e in db.since(0)[0]] == ["other", f"v{day}"]
        assert len(db) == 2
    assert db.get(_example("x", "2024-01-01T00:00:00Z").key).answer == "v9"
    # 10 versions written, 2 current: superseded ones went when they outnumbered the current
    # ones by _COMPACT_MIN, so the table never held more than 2 + 4 of them
    assert _count(path, "example_versions") <= 6
    db.close()
    again = SqliteStore(path)
    assert [e.answer for e in again.since(0)[0]] == ["other", "v9"]
    again.close()


_ONE_TABLE = """
CREATE TABLE examples (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, query TEXT NOT NULL,
  answer TEXT NOT NULL, language TEXT NOT NULL, ts TEXT NOT NULL, event_id TEXT NOT NULL,
  cell_id TEXT NOT NULL, source TEXT NOT NULL, notebook TEXT NOT NULL, outcome TEXT NOT NULL
);
"""


def test_a_store_in_the_one_table_layout_is_moved_over_when_opened(tmp_path: Path):
    path = tmp_path / "learn.sqlite"
    old = [
        _example("a", "2024-01-01T00:00:00Z", "A."),
        _example("b", "2024-01-02T00:00:00Z", "B."),
    ]
    with sqlite3.connect(path) as db:
        db.executescript(_ONE_TABLE)
        for seq, e in zip((3, 7), old, strict=True):
            db.execute(
                "INSERT INTO examples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, *learn_store._row(e)),
            )
    store = SqliteStore(path)
    assert store.since(0) == (old, 7)
    assert len(store) == 2
    assert store.get(old[0].key) == old[0]
    assert store.put(_example("a2", "2024-01-03T00:00:00Z", "A."))
    changed, seq = store.since(7)
    assert [e.answer for e in changed] == ["a2"] and seq > 7
    assert len(store) == 2
    store.close()
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "examples" not in tables


def test_sqlite_reads_records_without_waiting_for_another_threads_transaction(tmp_path: Path):
    db = SqliteStore(tmp_path / "learn.sqlite")
    db.put_record(CellRecord("c1", executed="old"))
    writing, read = threading.Event(), threading.Event()
    seen: dict[str, CellRecord] = {}

    def reader() -> None:
        writing.wait(timeout=10)
        seen.update(db.records_for(["c1", "c2"]))
        read.set()

    thread = threading.Thread(target=reader)
    thread.start()
    with db.transaction():
        db.put_records([CellRecord("c1", executed="new"), CellRecord("c2", executed="x")])
        writing.set()
        assert read.wait(timeout=10), "records_for waited for the transaction to end"
    thread.join()
    assert seen == {"c1": CellRecord("c1", executed="old")}  # what was committed
    assert db.records_for(["c1", "c2"])["c1"].executed == "new"
    db.close()
