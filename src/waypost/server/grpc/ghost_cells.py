"""Foyle's ``AIService.StreamGenerate``: ghost cells that follow what the user types.

One stream is one context: a notebook, its selected cell and a ``context_id``. The first request
carries the whole notebook (``full_context``); each later one (``update``) replaces the selected
cell. At most one generation runs at a time and requests that arrive meanwhile are coalesced: the
newest context wins. A generation that finishes after a newer request arrived is superseded: its
answer is dropped (neither sent nor logged) and the newest context is generated next.

Every answer is ``{cells, notebook_uri, insert_at = selected + 1, context_id}`` with the cells
flagged as ghost cells. With nothing to suggest, ``cells`` is empty, so the client removes the
ghost cells it shows for an older text; Foyle drops such answers instead and leaves stale
suggestions on screen. When the client closes its side, the newest context is still answered,
then the stream ends.

Protocol-free: requests and responses are protobuf messages in async iterators, so the Connect
endpoint (and any other transport) only moves bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from waypost._proto.foyle.v1alpha1 import agent_pb2 as ai
from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost.ai import Generation, Generator
from waypost.errors import UsageError, WaypostError
from waypost.log import get_logger
from waypost.server.grpc.convert import cell_from_proto, suggestion_to_proto

__all__ = ["GhostCells"]

_log = get_logger("waypost.ghost")

_KINDS = (pb.CELL_KIND_MARKUP, pb.CELL_KIND_CODE)

Run = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class _Context:
    cells: tuple[pb.Cell, ...]
    """The notebook as the client has it, the selected cell as last updated."""
    selected: int
    uri: str
    context_id: str
    version: int = 0
    """How many requests it reflects; an answer is for exactly one version."""


class GhostCells:
    """Answers ``StreamGenerate`` streams with the generator's suggestions."""

    def __init__(
        self, generator: Generator, *, run: Run = asyncio.to_thread, source: str = "extension"
    ) -> None:
        self.generator = generator
        self.run = run
        """How a (blocking) generation is run off the event loop."""
        self.source = source

    async def stream(
        self, requests: AsyncIterator[ai.StreamGenerateRequest]
    ) -> AsyncIterator[ai.StreamGenerateResponse]:
        latest: _Context | None = None
        changed = asyncio.Event()
        closed = False
        failure: BaseException | None = None

        async def read() -> None:
            nonlocal latest, closed, failure
            try:
                async for request in requests:
                    latest = _apply(latest, request)
                    changed.set()
            except Exception as exc:  # a bad request, or the transport failing
                failure = exc
            finally:
                closed = True
                changed.set()

        reader = asyncio.create_task(read())
        answered = -1
        try:
            while True:
                if failure is not None:
                    raise failure
                current = latest
                if current is not None and current.version != answered:
                    generation = await self._generate(current)
                    if latest is not current:
                        continue  # superseded while it ran: the newer context is next
                    answered = current.version
                    yield self._answer(current, generation)
                    continue
                if closed:
                    return
                await changed.wait()
                changed.clear()
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _generate(self, context: _Context) -> Generation | None:
        kept = [c for c in context.cells if c.kind in _KINDS]
        position = sum(1 for c in context.cells[: context.selected + 1] if c.kind in _KINDS) - 1
        if not kept or position < 0:
            return None
        cells = [cell_from_proto(c) for c in kept]
        try:
            return await self.run(
                self.generator.generate, cells, position, notebook=context.uri,
                source=self.source, log=False,
            )  # fmt: skip
        except WaypostError as exc:
            _log.warning("no ghost cells", context_id=context.context_id, error=str(exc))
            return None

    def _answer(
        self, context: _Context, generation: Generation | None
    ) -> ai.StreamGenerateResponse:
        response = ai.StreamGenerateResponse(
            notebook_uri=context.uri, insert_at=context.selected + 1, context_id=context.context_id
        )
        if generation is not None:
            self.generator.record(generation, notebook=context.uri, source=self.source)
            response.cells.extend(suggestion_to_proto(c, ghost=True) for c in generation.cells)
        return response


def _apply(context: _Context | None, request: ai.StreamGenerateRequest) -> _Context:
    """The context after ``request``; the first must be a full context, the rest updates."""
    kind = request.WhichOneof("request")
    if not request.context_id:
        raise UsageError("every request needs a context_id", where="context_id")
    if context is None:
        if kind != "full_context":
            raise UsageError("the first request must carry full_context", where="full_context")
        full = request.full_context
        cells = tuple(full.notebook.cells)
        if not full.notebook_uri:
            raise UsageError("notebook_uri is required", where="full_context.notebook_uri")
        if not 0 <= full.selected < len(cells):
            raise UsageError(
                f"no cell {full.selected} in a notebook of {len(cells)}",
                where="full_context.selected",
            )
        return _Context(cells, full.selected, full.notebook_uri, request.context_id)
    if request.context_id != context.context_id:
        raise UsageError(
            f"context_id {request.context_id!r} is not this stream's {context.context_id!r}",
            where="context_id",
        )
    if kind != "update":
        raise UsageError("after the first request, send updates", where="update")
    cells = list(context.cells)
    cells[context.selected] = request.update.cell
    return replace(context, cells=tuple(cells), version=context.version + 1)
