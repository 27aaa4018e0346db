"""The issue's must-show behaviours of log processing."""

import threading
from pathlib import Path

import pytest

from conftest import markup, run, suggest
from waypost.learn.eventlog import JsonlEventLog, MemoryEventLog
from waypost.learn.events import JsonlEventSink
from waypost.learn.learner import Learner
from waypost.learn.records import Outcome
from waypost.learn.store import MemoryStore, SqliteStore


def test_generated_then_edited_then_executed_cell_becomes_one_example_with_the_edit():
    context = [markup("# Ops"), markup("Restart auth in dev.")]
    log = MemoryEventLog(
        [
            suggest("cell-1", "kubectl rollout restart deploy/auth", context),
            run("cell-1", "kubectl --context=dev rollout restart deploy/auth", context),
        ]
    )
    store = MemoryStore()
    stats = Learner(log, store).poll()
    examples, _ = store.since(0)
    assert stats.examples == 1
    assert [e.answer for e in examples] == ["kubectl --context=dev rollout restart deploy/auth"]
    assert examples[0].outcome == Outcome.EDITED.value
    assert store.record("cell-1").outcome is Outcome.EDITED


def test_reprocessing_the_same_log_adds_nothing(tmp_path: Path):
    sink = JsonlEventSink(tmp_path / "events")
    sink.emit(run("c1", "ls", [markup("List files.")]))
    sink.emit(run("c2", "pwd", [markup("Where am I?")], ts="2024-01-01T00:00:01.000Z"))
    first = SqliteStore(tmp_path / "a.sqlite")
    assert Learner(JsonlEventLog(tmp_path / "events"), first).poll().examples == 2
    # the same log again from the start, into a store that already has its examples
    first.set_watermark("events", first.watermark("other"))
    assert Learner(JsonlEventLog(tmp_path / "events"), first).poll().examples == 0
    assert len(first) == 2
    # and polling again from the watermark reads nothing
    again = Learner(JsonlEventLog(tmp_path / "events"), first).poll()
    assert (again.events, again.examples) == (0, 0)
    first.close()


class _CrashError(Exception):
    pass


class _CrashErroringStore(SqliteStore):
    """Fails while writing the n-th batch, like a process killed mid-batch."""

    def __init__(self, path: Path, fail_at: int) -> None:
        super().__init__(path)
        self.fail_at = fail_at
        self.batches = 0

    def put_records(self, records):  # type: ignore[no-untyped-def]
        self.batches += 1
        if self.batches == self.fail_at:
            raise _CrashError()
        return super().put_records(records)


def test_a_crash_mid_log_resumes_at_the_watermark(tmp_path: Path):
    sink = JsonlEventSink(tmp_path / "events")
    for i in range(10):
        sink.emit(run(f"c{i}", f"echo {i}", [markup(f"Say {i}.")], ts=f"2024-01-01T00:00:0{i}Z"))
    db_path = tmp_path / "learn.sqlite"
    crashing = _CrashErroringStore(db_path, fail_at=2)
    learner = Learner(JsonlEventLog(tmp_path / "events"), crashing, batch=4)
    with pytest.raises(_CrashError):
        learner.poll()
    crashing.close()
    # the first batch (4 events) was committed with its watermark; the second was rolled back
    store = SqliteStore(db_path)
    assert len(store) == 4
    assert store.watermark("events").lines == 4
    stats = Learner(JsonlEventLog(tmp_path / "events"), store).poll()
    assert stats.events == 6
    assert sorted(e.answer for e in store.since(0)[0]) == [f"echo {i}" for i in range(10)]
    store.close()


def _team_log(sink: JsonlEventSink) -> None:
    """Cells suggested, then run as-is, edited, run twice, failed or left alone, the events of
    one cell often far apart in the log."""
    for i in range(30):
        context = [markup("# Ops"), markup(f"Restart service {i % 7} in dev.")]
        command = f"svc restart s{i % 7} --env dev"
        if i % 3 == 0:
            sink.emit(suggest(f"c{i}", command, context))
        if i % 4 == 0:
            continue  # left alone (or typed later, below)
        ran = command if i % 2 else command + " --force"
        ts = f"2024-01-01T00:00:{i:02d}.000Z"
        sink.emit(run(f"c{i}", ran, context, exit_code=0 if i % 5 else 1, ts=ts))
    for i in range(0, 30, 8):
        context = [markup(f"Restart service {i % 7} in dev.")]
        sink.emit(
            run(f"c{i}", f"svc restart s{i % 7}", context, ts=f"2024-01-01T00:01:{i:02d}.000Z")
        )


@pytest.mark.parametrize("batch", [1, 2, 7])
def test_batches_of_any_size_learn_what_one_batch_learns(tmp_path: Path, batch: int):
    _team_log(JsonlEventSink(tmp_path / "events"))
    whole = SqliteStore(tmp_path / "whole.sqlite")
    split = SqliteStore(tmp_path / "split.sqlite")
    one = Learner(JsonlEventLog(tmp_path / "events"), whole).poll()
    many = Learner(JsonlEventLog(tmp_path / "events"), split, batch=batch).poll()
    assert many.events == one.events
    assert many.watermark == one.watermark
    assert sorted(split.records()) == sorted(whole.records())
    assert {e.key: e for e in split.since(0)[0]} == {e.key: e for e in whole.since(0)[0]}
    outcomes = {r.outcome for r in split.records()}
    assert outcomes == {Outcome.AS_IS, Outcome.EDITED, Outcome.IGNORED, Outcome.MANUAL}
    whole.close()
    split.close()


def test_new_executions_become_examples_while_running_forever(tmp_path: Path):
    sink = JsonlEventSink(tmp_path / "events")
    store = MemoryStore()
    learned = threading.Event()
    learner = Learner(
        JsonlEventLog(tmp_path / "events"), store, on_examples=lambda _: learned.set()
    )
    stop = threading.Event()
    thread = threading.Thread(target=learner.run_forever, args=(stop,), kwargs={"interval": 0.05})
    thread.start()
    try:
        sink.emit(run("c1", "ls", [markup("List files.")]))
        assert learned.wait(timeout=10)
    finally:
        stop.set()
        thread.join()
    assert [e.answer for e in store.since(0)[0]] == ["ls"]


def test_eval_traffic_in_the_log_never_becomes_an_example():
    context = [markup("List files.")]
    log = MemoryEventLog(
        [
            suggest("c1", "ls", context, source="eval"),
            run("c1", "ls", context),
            run("c2", "ls", context, source="eval"),
        ]
    )
    store = MemoryStore()
    assert Learner(log, store).poll().examples == 0
