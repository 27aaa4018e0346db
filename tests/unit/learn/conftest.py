"""Builders for learning tests: events as the runner and the server would write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from waypost.learn import events as ev

SHARED_EVAL = Path(__file__).resolve().parents[4] / "shared" / "eval"


def markup(text: str) -> ev.ContextCell:
    return ev.ContextCell(kind="markup", value=text)


def code(text: str) -> ev.ContextCell:
    return ev.ContextCell(kind="code", value=text, language="sh")


def run(
    cell_id: str,
    command: str,
    context: list[ev.ContextCell],
    *,
    exit_code: int = 0,
    source: str = "cli",
    ts: str = "2024-01-01T00:00:00.000Z",
) -> ev.Event:
    event = ev.execute(
        cell_id=cell_id,
        command=command,
        language="sh",
        exit_code=exit_code,
        duration_ms=1.0,
        context=context,
        source=source,
    )
    return ev.Event(event.type, event.data, id=event.id, ts=ts)


def suggest(cell_id: str, text: str, context: list[ev.ContextCell], *, source: str = "server"):
    return ev.generate(
        trace_id="trace-" + cell_id,
        context=context,
        context_hash="",
        provider="offline",
        model="",
        latency_ms=1.0,
        cells=[ev.GeneratedCell(cell_id, "code", text, "sh")],
        source=source,
    )


@pytest.fixture
def shared_eval() -> Path:
    if not SHARED_EVAL.is_dir():
        pytest.skip("shared/eval datasets are not next to this checkout")
    return SHARED_EVAL
