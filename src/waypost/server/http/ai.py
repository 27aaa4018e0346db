"""The AI over HTTP: Foyle's Connect services (as Runme's extension calls them) and a JSON API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from waypost._proto.foyle.v1alpha1 import agent_pb2 as ai
from waypost.errors import UsageError
from waypost.learn import events
from waypost.notebook import Cell, Notebook
from waypost.notebook.jsonview import notebook_to_json
from waypost.server.grpc.ai_service import AIService, RunmeGenerateService
from waypost.server.grpc.ghost_cells import GhostCells
from waypost.server.http.connect import BidiStream, unary
from waypost.server.http.payloads import field, incoming_cell, read_json
from waypost.server.state import ServerState

__all__ = ["routes"]


def _state(request: Request) -> ServerState:
    return request.app.state.waypost


async def _generate_cells(
    message: ai.GenerateCellsRequest, request: Request
) -> tuple[Any, dict[str, str]]:
    state = _state(request)
    service = AIService(state.generator, state.sink)
    response, trace_id = await run_in_threadpool(service.generate_cells, message)
    return response, {"foyle-trace-id": trace_id}


async def _log_events(message: ai.LogEventsRequest, request: Request) -> tuple[Any, dict[str, str]]:
    state = _state(request)
    return AIService(state.generator, state.sink).LogEvents(message), {}


def _stream_generate(
    requests: AsyncIterator[ai.StreamGenerateRequest], scope: dict[str, Any]
) -> AsyncIterator[ai.StreamGenerateResponse]:
    state: ServerState = scope["app"].state.waypost
    return GhostCells(state.generator).stream(requests)


async def _status(message: ai.StatusRequest, request: Request) -> tuple[Any, dict[str, str]]:
    return ai.StatusResponse(status=ai.OK), {"aiservice-version": "v1alpha1"}


async def _runme_generate(
    message: ai.RunmeGenerateRequest, request: Request
) -> tuple[Any, dict[str, str]]:
    service = RunmeGenerateService(_state(request).generator)
    return await run_in_threadpool(service.Generate, message), {}


def _cells(data: dict[str, Any]) -> list[Cell]:
    from waypost.notebook.merge import rebase

    incoming = [incoming_cell(c, i) for i, c in enumerate(field(data, "cells", list))]
    return list(rebase(Notebook(cells=()), incoming).cells)


async def generate(request: Request) -> JSONResponse:
    """``{"cells": [...], "selected": N, "path": "..."}`` → the suggested cells (ghost cells)."""
    state = _state(request)
    data = await read_json(request)
    cells = _cells(data)
    selected = field(data, "selected", int, len(cells) - 1)
    path = field(data, "path", str, "")
    result = await run_in_threadpool(
        lambda: state.generator.generate(cells, selected, notebook=path, source="browser")
    )
    return JSONResponse(
        {
            "traceId": result.trace_id,
            "provider": result.provider,
            "model": result.model,
            "latencyMs": round(result.latency_ms, 3),
            "confidence": result.confidence,
            "cells": notebook_to_json(Notebook(cells=tuple(result.cells)))["cells"],
        }
    )


_EVENT_TYPES = ("accepted", "rejected")


async def post_events(request: Request) -> JSONResponse:
    """``{"events": [{"type": "accepted"|"rejected", "cellId": "...", "traceId": "..."}]}``."""
    state = _state(request)
    data = await read_json(request)
    items = field(data, "events", list)
    for index, item in enumerate(items):
        if not isinstance(item, dict) or item.get("type") not in _EVENT_TYPES:
            raise UsageError(
                f"type must be one of {', '.join(_EVENT_TYPES)}", where=f"events[{index}]"
            )
        if not isinstance(item.get("cellId"), str) or not item["cellId"]:
            raise UsageError("cellId must be a non-empty string", where=f"events[{index}]")
    for item in items:
        make = events.accepted if item["type"] == "accepted" else events.rejected
        trace = item.get("traceId") if isinstance(item.get("traceId"), str) else ""
        state.sink.emit(make(item["cellId"], trace_id=trace, source="browser"))
    return JSONResponse({"logged": len(items)})


routes = [
    Route(
        "/api/AIService/GenerateCells",
        unary(ai.GenerateCellsRequest, _generate_cells),
        methods=["POST"],
    ),
    Route("/api/AIService/LogEvents", unary(ai.LogEventsRequest, _log_events), methods=["POST"]),
    Route(
        "/api/AIService/StreamGenerate",
        BidiStream(ai.StreamGenerateRequest, _stream_generate),
        methods=["POST"],
    ),
    Route("/api/AIService/Status", unary(ai.StatusRequest, _status), methods=["POST"]),
    Route(
        "/api/RunmeGenerateService/Generate",
        unary(ai.RunmeGenerateRequest, _runme_generate),
        methods=["POST"],
    ),
    Route("/api/generate", generate, methods=["POST"]),
    Route("/api/events", post_events, methods=["POST"]),
]
