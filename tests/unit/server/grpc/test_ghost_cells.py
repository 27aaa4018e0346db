"""StreamGenerate's conversation: ghost cells per context, coalescing, superseded answers dropped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from waypost._proto.foyle.v1alpha1 import agent_pb2 as ai
from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost.ai import Generation
from waypost.errors import ProviderError, UsageError
from waypost.notebook import Cell, CellId, CellKind
from waypost.server.grpc.ghost_cells import GhostCells


@dataclass
class FakeGenerator:
    """Answers ``echo <selected cell's text>``; records what it was asked and what was shown."""

    answer: Callable[[str], list[Cell]] = field(
        default=lambda text: [
            Cell(CellKind.CODE, f"echo {text}", language="sh", id=CellId(f"ID-{text}"))
        ]
    )
    asked: list[tuple[list[str], int]] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)

    def generate(self, cells: list[Cell], selected: int, **options: Any) -> Generation:
        assert options["log"] is False
        self.asked.append(([c.value for c in cells], selected))
        proposed = self.answer(cells[selected].value)
        return Generation(cells=proposed, trace_id="T", provider="fake", model="", latency_ms=0.0)

    def record(self, generation: Generation, **options: Any) -> None:
        self.recorded.extend(c.value for c in generation.cells)


class Requests:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[ai.StreamGenerateRequest | None] = asyncio.Queue()

    def send(self, request: ai.StreamGenerateRequest) -> None:
        self.queue.put_nowait(request)

    def close(self) -> None:
        self.queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[ai.StreamGenerateRequest]:
        while (item := await self.queue.get()) is not None:
            yield item


def note(text: str) -> pb.Cell:
    return pb.Cell(kind=pb.CELL_KIND_MARKUP, value=text)


def full(*texts: str, selected: int, context_id: str = "ctx") -> ai.StreamGenerateRequest:
    return ai.StreamGenerateRequest(
        context_id=context_id,
        full_context=ai.FullContext(notebook=pb.Notebook(cells=[note(t) for t in texts]),
                                    selected=selected, notebook_uri="file:///nb.md"),
    )  # fmt: skip


def update(text: str, context_id: str = "ctx") -> ai.StreamGenerateRequest:
    return ai.StreamGenerateRequest(context_id=context_id, update=ai.UpdateContext(cell=note(text)))


async def inline(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, timeout=10))


def test_a_context_gets_ghost_cells_inserted_after_the_selected_cell() -> None:
    generator = FakeGenerator()

    async def scenario() -> list[ai.StreamGenerateResponse]:
        requests = Requests()
        requests.send(full("# Ops", "list pods", "later", selected=1))
        requests.close()
        return [r async for r in GhostCells(generator, run=inline).stream(requests)]  # type: ignore[arg-type]

    (answer,) = run(scenario())
    assert (answer.context_id, answer.notebook_uri, answer.insert_at) == ("ctx", "file:///nb.md", 2)
    (cell,) = answer.cells
    assert cell.value == "echo list pods" and cell.kind == pb.CELL_KIND_CODE
    assert cell.metadata["_ghostCell"] == "true" and cell.metadata["_ghostCellKind"] == "CODE"
    assert cell.metadata["id"] == cell.metadata["runme.dev/id"] == "ID-list pods"
    assert generator.asked == [(["# Ops", "list pods", "later"], 1)]
    assert generator.recorded == ["echo list pods"]


def test_an_update_replaces_the_selected_cell_and_gets_its_own_answer() -> None:
    generator = FakeGenerator()

    async def scenario() -> list[str]:
        requests = Requests()
        stream = GhostCells(generator, run=inline).stream(requests).__aiter__()  # type: ignore[arg-type]
        requests.send(full("# Ops", "list", selected=1))
        first = await stream.__anext__()
        requests.send(update("list pods"))
        second = await stream.__anext__()
        requests.close()
        rest = [r async for r in stream]
        return [c.value for r in (first, second, *rest) for c in r.cells]

    assert run(scenario()) == ["echo list", "echo list pods"]
    assert generator.asked[-1] == (["# Ops", "list pods"], 1)


def test_requests_during_a_generation_are_coalesced_and_the_superseded_answer_dropped() -> None:
    generator = FakeGenerator()
    gates: list[asyncio.Event] = []

    async def gated(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        gate = asyncio.Event()
        gates.append(gate)
        await gate.wait()
        return function(*args, **kwargs)

    async def scenario() -> list[ai.StreamGenerateResponse]:
        requests = Requests()
        answers: list[ai.StreamGenerateResponse] = []

        async def consume() -> None:
            async for r in GhostCells(generator, run=gated).stream(requests):  # type: ignore[arg-type]
                answers.append(r)

        consumer = asyncio.create_task(consume())
        requests.send(full("# Ops", "l", selected=1))
        while not gates:
            await asyncio.sleep(0)
        for text in ("li", "lis", "list"):  # typed while the first generation runs
            requests.send(update(text))
        await asyncio.sleep(0.01)
        gates[0].set()  # the first generation ends, superseded
        while len(gates) < 2:
            await asyncio.sleep(0)
        gates[1].set()
        requests.close()
        await consumer
        return answers

    answers = run(scenario())
    assert [[c.value for c in a.cells] for a in answers] == [["echo list"]]
    assert [selected_text for (cells, i) in generator.asked for selected_text in [cells[i]]] == [
        "l",
        "list",
    ]
    assert generator.recorded == ["echo list"]  # the dropped answer is not logged


def test_no_suggestion_gives_an_answer_without_cells() -> None:
    generator = FakeGenerator(answer=lambda text: [])

    async def scenario() -> list[ai.StreamGenerateResponse]:
        requests = Requests()
        requests.send(full("zzz", selected=0))
        requests.close()
        return [r async for r in GhostCells(generator, run=inline).stream(requests)]  # type: ignore[arg-type]

    (answer,) = run(scenario())
    assert list(answer.cells) == [] and answer.context_id == "ctx" and answer.insert_at == 1


def test_a_provider_failure_gives_an_answer_without_cells() -> None:
    def fail(text: str) -> list[Cell]:
        raise ProviderError("rate limited", kind="rate_limit", provider="fake")

    generator = FakeGenerator(answer=fail)

    async def scenario() -> list[ai.StreamGenerateResponse]:
        requests = Requests()
        requests.send(full("list pods", selected=0))
        requests.close()
        return [r async for r in GhostCells(generator, run=inline).stream(requests)]  # type: ignore[arg-type]

    (answer,) = run(scenario())
    assert list(answer.cells) == []


@pytest.mark.parametrize(
    ("requests_sent", "where"),
    [
        ([update("x")], "full_context"),
        ([full("a", selected=3)], "full_context.selected"),
        ([full("a", selected=0, context_id="")], "context_id"),
        ([full("a", selected=0), update("b", context_id="other")], "context_id"),
        ([full("a", selected=0), full("b", selected=0)], "update"),
    ],
    ids=[
        "update-first",
        "selected-out-of-range",
        "no-context-id",
        "other-context-id",
        "second-full-context",
    ],
)
def test_a_malformed_stream_ends_with_invalid_argument(
    requests_sent: list[ai.StreamGenerateRequest], where: str
) -> None:
    async def scenario() -> None:
        requests = Requests()
        for request in requests_sent:
            requests.send(request)
        requests.close()
        async for _ in GhostCells(FakeGenerator(), run=inline).stream(requests):  # type: ignore[arg-type]
            pass

    with pytest.raises(UsageError) as caught:
        run(scenario())
    assert caught.value.where == where
