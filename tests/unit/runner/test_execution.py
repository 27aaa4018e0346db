from __future__ import annotations

from waypost.runner.execution import MAX_CHUNK, Exited, Output, Started, _merged
from waypost.runner.output import Stream


def test_adjacent_chunks_of_a_stream_merge_without_reordering():
    started = Started("e", "s", 1)
    events = [
        started,
        Output(Stream.STDOUT, b"a", "text/plain"),
        Output(Stream.STDOUT, b"b"),
        Output(Stream.STDERR, b"x"),
        Output(Stream.STDOUT, b"c"),
        Output(Stream.STDOUT, b"d"),
    ]
    merged = list(_merged(events))
    assert merged == [
        started,
        Output(Stream.STDOUT, b"ab", "text/plain"),
        Output(Stream.STDERR, b"x"),
        Output(Stream.STDOUT, b"cd"),
    ]


def test_merged_chunks_stay_under_the_limit():
    events = [Output(Stream.STDOUT, b"x" * (MAX_CHUNK // 2 + 1)) for _ in range(3)]
    merged = list(_merged(events))
    assert len(merged) == 3
    assert all(len(e.data) <= MAX_CHUNK for e in merged)


def test_exit_is_never_merged_away():
    exited = Exited(0, None)  # type: ignore[arg-type]
    assert list(_merged([Output(Stream.STDOUT, b"a"), exited])) == [
        Output(Stream.STDOUT, b"a"),
        exited,
    ]
