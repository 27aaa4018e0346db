"""Foyle's ``AIService`` (and the seed's ``RunmeGenerateService``) over Waypost's generator.

Protocol-free: the methods take and return protobuf messages, so the same servicer answers the
Connect protocol on the HTTP server and plain gRPC.
"""

from __future__ import annotations

from typing import Any

from waypost._proto.foyle.v1alpha1 import agent_pb2 as ai
from waypost._proto.foyle.v1alpha1 import agent_pb2_grpc
from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost.ai import Generation, Generator, to_context_cells
from waypost.errors import UsageError
from waypost.learn import events
from waypost.learn.events import EventSink
from waypost.server.grpc.convert import cell_from_proto, suggestion_to_proto

__all__ = ["AIService", "RunmeGenerateService", "log_events"]


def _generate(
    generator: Generator, notebook: pb.Notebook, selected: int, source: str
) -> Generation:
    cells = [
        cell_from_proto(c)
        for c in notebook.cells
        if c.kind in (pb.CELL_KIND_MARKUP, pb.CELL_KIND_CODE)
    ]
    if not cells:
        raise UsageError("the notebook is empty: write what you want to do first", where="notebook")
    if selected < 0 or selected >= len(cells):
        raise UsageError(
            f"no cell {selected} in a notebook of {len(cells)}", where="selected_index"
        )
    return generator.generate(cells, selected, source=source)


def log_events(request: ai.LogEventsRequest, sink: EventSink, source: str = "extension") -> int:
    """Runme's ``LogEvent``s as Waypost events; returns how many were logged."""
    logged = 0
    for event in request.events:
        converted = _convert(event, source)
        if converted is not None:
            sink.emit(converted)
            logged += 1
    return logged


def _convert(event: ai.LogEvent, source: str) -> events.Event | None:
    kind = event.type
    if kind == ai.ACCEPTED:
        return events.accepted(event.selected_id, source=source)
    if kind == ai.REJECTED:
        return events.rejected(event.selected_id, source=source)
    if kind == ai.SESSION_START:
        return events.session_start(event.context_id, source=source)
    if kind == ai.SESSION_END:
        return events.session_end(event.context_id, source=source)
    if kind != ai.EXECUTE or not event.cells:
        return None
    cells = [cell_from_proto(c) for c in event.cells]
    position = next((i for i, c in enumerate(cells) if c.id == event.selected_id), len(cells) - 1)
    executed = cells[position]
    status = event.execute_status
    exit_code = (
        0 if status == ai.LogEvent.SUCCEEDED else 1 if status == ai.LogEvent.FAILED else None
    )
    return events.execute(
        cell_id=event.selected_id or executed.id or "",
        command=executed.value,
        language=executed.language,
        exit_code=exit_code,
        duration_ms=0.0,
        context=to_context_cells(cells[:position]),
        session_id=event.context_id,
        source=source,
    )


class AIService(agent_pb2_grpc.AIServiceServicer):
    def __init__(self, generator: Generator, sink: EventSink) -> None:
        self.generator = generator
        self.sink = sink

    def generate_cells(
        self, request: ai.GenerateCellsRequest
    ) -> tuple[ai.GenerateCellsResponse, str]:
        """The response and the trace id (which Foyle returns in a ``Foyle-Trace-ID`` header)."""
        result = _generate(self.generator, request.notebook, request.selected_index, "extension")
        cells = [suggestion_to_proto(c, ghost=False) for c in result.cells]
        return ai.GenerateCellsResponse(cells=cells), result.trace_id

    def GenerateCells(
        self, request: ai.GenerateCellsRequest, context: Any = None
    ) -> ai.GenerateCellsResponse:
        response, trace_id = self.generate_cells(request)
        if context is not None:
            context.set_trailing_metadata((("foyle-trace-id", trace_id),))
        return response

    def LogEvents(self, request: ai.LogEventsRequest, context: Any = None) -> ai.LogEventsResponse:
        log_events(request, self.sink)
        return ai.LogEventsResponse()

    def Status(self, request: ai.StatusRequest, context: Any = None) -> ai.StatusResponse:
        return ai.StatusResponse(status=ai.OK)


class RunmeGenerateService(agent_pb2_grpc.RunmeGenerateServiceServicer):
    """``Generate(notebook) -> cells``: continue from the notebook's last cell."""

    def __init__(self, generator: Generator) -> None:
        self.generator = generator

    def Generate(
        self, request: ai.RunmeGenerateRequest, context: Any = None
    ) -> ai.RunmeGenerateResponse:
        selected = len(request.notebook.cells) - 1
        result = _generate(self.generator, request.notebook, selected, "runme-generate")
        return ai.RunmeGenerateResponse(
            cells=[suggestion_to_proto(c, ghost=False) for c in result.cells]
        )
