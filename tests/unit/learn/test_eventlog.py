from pathlib import Path

from waypost.learn.eventlog import JsonlEventLog, MemoryEventLog, Watermark
from waypost.learn.events import JsonlEventSink, session_start


def _ids(log, since=None):
    since = since or Watermark()
    return [(e.data["session_id"] if e else None, m) for e, m in log.read(since)]


def test_reading_from_a_watermark_returns_only_newer_events(tmp_path: Path):
    sink = JsonlEventSink(tmp_path)
    for i in range(3):
        sink.emit(session_start(f"s{i}"))
    log = JsonlEventLog(tmp_path)
    read = _ids(log)
    assert [s for s, _ in read] == ["s0", "s1", "s2"]
    sink.emit(session_start("s3"))
    assert [s for s, _ in _ids(log, read[-1][1])] == ["s3"]


def test_a_partial_last_line_is_left_for_later(tmp_path: Path):
    sink = JsonlEventSink(tmp_path)
    sink.emit(session_start("s0"))
    with open(tmp_path / "events.jsonl", "ab") as f:
        f.write(b'{"v":1,"type":"session_start","id":"X","ts":"t","session_')
    log = JsonlEventLog(tmp_path)
    read = _ids(log)
    assert [s for s, _ in read] == ["s0"]
    with open(tmp_path / "events.jsonl", "ab") as f:
        f.write(b'id":"s1"}\n')
    assert [s for s, _ in _ids(log, read[-1][1])] == ["s1"]


def test_a_line_that_is_not_an_event_is_skipped_once(tmp_path: Path):
    (tmp_path / "events.jsonl").write_text('not json\n{"type":"session_start","session_id":"a"}\n')
    read = _ids(JsonlEventLog(tmp_path))
    assert [s for s, _ in read] == [None, "a"]


def test_reading_follows_the_live_file_through_a_rotation(tmp_path: Path):
    sink = JsonlEventSink(tmp_path, max_bytes=200)
    sink.emit(session_start("s0"))
    log = JsonlEventLog(tmp_path)
    mark = _ids(log)[-1][1]
    sink.emit(session_start("s1"))  # the file is full: s0 and s1 end up in a rotated file
    sink.emit(session_start("s2"))
    sink.emit(session_start("s3"))
    assert len(log.files()) >= 2
    assert [s for s, _ in _ids(log, mark)] == ["s1", "s2", "s3"]


def test_memory_log_watermarks_are_indexes():
    log = MemoryEventLog()
    log.emit(session_start("a"))
    log.emit(session_start("b"))
    (_, first), (_, second) = list(log.read(Watermark()))
    assert [e.data["session_id"] for e, _ in log.read(first)] == ["b"]
    assert list(log.read(second)) == []


def test_watermarks_round_trip_through_json():
    mark = Watermark("events.jsonl", 120, 7, 3)
    assert Watermark.from_json(mark.to_json()) == mark


def test_batches_read_the_same_events_as_lines_and_resume_where_they_stop(tmp_path: Path):
    sink = JsonlEventSink(tmp_path, max_bytes=400)  # rotates every few events
    for i in range(12):
        sink.emit(session_start(f"s{i}"))
    with open(tmp_path / "events.jsonl", "ab") as f:
        f.write(b'not json\n\n{"type":"session_start","session_id":"partial')
    log = JsonlEventLog(tmp_path)
    assert len(log.files()) > 2
    seen, mark = [], Watermark()
    while True:
        batch, after = log.read_batch(mark, 5)
        if not batch:
            break
        seen += [e["session_id"] if e else None for e in batch]
        mark = after
    assert seen == [f"s{i}" for i in range(12)] + [None, None]  # not JSON; blank
    # the same as reading line by line, and the watermarks agree
    by_line = _ids(log)
    assert [s for s, _ in by_line] == seen
    assert by_line[-1][1] == mark
    # the partial line is read once it is complete
    with open(tmp_path / "events.jsonl", "ab") as f:
        f.write(b'"}\n')
    batch, _ = log.read_batch(mark, 5)
    assert [e["session_id"] for e in batch] == ["partial"]
