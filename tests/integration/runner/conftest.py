"""A runner per test, and a helper that runs a request to its end and collects its output."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from waypost.runner import (
    ExecuteRequest,
    ExecutionResult,
    Exited,
    Output,
    Runner,
    Started,
    Stream,
)


@dataclass
class Ran:
    started: Started
    stdout: bytes
    stderr: bytes
    result: ExecutionResult
    mime_types: list[str]

    @property
    def code(self) -> int | None:
        return self.result.exit_code

    @property
    def text(self) -> str:
        return self.stdout.decode()


def collect(execution_events: Iterator[object]) -> Ran:
    out, err, mimes = [], [], []
    started = result = None
    for event in execution_events:
        if isinstance(event, Started):
            started = event
        elif isinstance(event, Output):
            (out if event.stream is Stream.STDOUT else err).append(event.data)
            if event.mime_type:
                mimes.append(event.mime_type)
        elif isinstance(event, Exited):
            result = event.result
    assert started is not None and result is not None
    return Ran(started, b"".join(out), b"".join(err), result, mimes)


@pytest.fixture
def runner() -> Iterator[Runner]:
    with Runner(source="test") as r:
        yield r


@pytest.fixture
def run(runner: Runner) -> Callable[..., Ran]:
    """``run(*commands, **request fields)``: execute and wait, in the test's default session."""
    session = runner.create_session()

    def go(*commands: str, **fields: object) -> Ran:
        fields.setdefault("session_id", session.id)
        return collect(runner.execute(ExecuteRequest(commands=commands, **fields)).events())

    go.session_id = session.id  # type: ignore[attr-defined]
    return go
