"""Event logs: JSON-lines files and PostgreSQL, read incrementally from a watermark."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from waypost.learn import JsonlEventLog, JsonlEventSink, Watermark, events
from waypost.store.events import PostgresEventLog, PostgresEventSink


@pytest.fixture(params=["files", "postgres"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[object, object]]:
    if request.param == "files":
        yield JsonlEventSink(tmp_path), JsonlEventLog(tmp_path)
    else:
        db = request.getfixturevalue("database")
        yield PostgresEventSink(db), PostgresEventLog(db, batch=7)


def read_all(source: object, since: Watermark) -> tuple[list[str], Watermark]:
    ids, mark = [], since
    for event, mark in source.read(since):  # type: ignore[attr-defined]  # noqa: B007
        if event is not None:
            ids.append(event.data["cell_id"])
    return ids, mark


def test_reading_resumes_at_the_watermark_and_never_repeats(log: tuple[object, object]) -> None:
    sink, source = log
    for i in range(20):
        sink.emit(events.accepted(f"c{i}"))  # type: ignore[attr-defined]
    first, mark = read_all(source, Watermark())
    assert first == [f"c{i}" for i in range(20)]
    again, mark2 = read_all(source, mark)
    assert again == [] and mark2 == mark
    sink.emit(events.accepted("late"))  # type: ignore[attr-defined]
    more, _ = read_all(source, mark)
    assert more == ["late"]


def test_concurrent_writers_lose_nothing(log: tuple[object, object]) -> None:
    sink, source = log

    def write(prefix: str) -> None:
        for i in range(50):
            sink.emit(events.accepted(f"{prefix}{i}"))  # type: ignore[attr-defined]

    threads = [threading.Thread(target=write, args=(p,)) for p in "abcd"]
    for t in threads:
        t.start()
    seen: list[str] = []
    mark = Watermark()
    while any(t.is_alive() for t in threads):
        ids, mark = read_all(source, mark)
        seen += ids
    for t in threads:
        t.join()
    ids, mark = read_all(source, mark)
    seen += ids
    assert sorted(seen) == sorted(f"{p}{i}" for p in "abcd" for i in range(50))
