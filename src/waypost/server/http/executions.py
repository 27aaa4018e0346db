"""Sessions and running cells over HTTP: JSON endpoints and a WebSocket per execution.

The wire format is ``docs/api.md`` (v1). Every execution goes through the runner's ``run_cell``,
so working directory, interpreter, ``.env`` files, lineage ids and learning events follow the
same rules as ``waypost run``.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from waypost.errors import ExecutionNotFoundError, UsageError, WaypostError
from waypost.masking import mask_env
from waypost.notebook import Notebook
from waypost.notebook.merge import rebase
from waypost.project import is_runbook, open_document
from waypost.runner import (
    Execution,
    ExecutionId,
    Exited,
    Output,
    Session,
    SessionId,
    Started,
    StopKind,
    Stream,
    Winsize,
)
from waypost.runner.mime import is_binary
from waypost.server.http.payloads import field, incoming_cell, read_json
from waypost.server.state import ServerState

__all__ = ["routes"]

RUN_OUTPUT_LIMIT = 1024 * 1024
"""Bytes of each stream ``/api/run`` returns (the tail)."""


def _state(request: Request | WebSocket) -> ServerState:
    return request.app.state.waypost


def _session_json(session: Session) -> dict[str, Any]:
    return {"id": session.id, "env": mask_env(session.env), "metadata": dict(session.metadata)}


def _string_map(data: dict[str, Any], name: str) -> dict[str, str]:
    value = field(data, name, dict, {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise UsageError("must map strings to strings", where=name)
    return value


# -- sessions ---------------------------------------------------------------------------------


async def list_sessions(request: Request) -> JSONResponse:
    sessions = _state(request).runner.list_sessions()
    return JSONResponse({"sessions": [_session_json(s) for s in sessions]})


async def create_session(request: Request) -> JSONResponse:
    state = _state(request)
    data = await read_json(request)
    session = await run_in_threadpool(
        state.runner.create_session,
        _string_map(data, "env"),
        _string_map(data, "metadata"),
        project=state.confinement.root,
    )
    return JSONResponse(_session_json(session), status_code=201)


async def get_session(request: Request) -> JSONResponse:
    session = _state(request).runner.get_session(SessionId(request.path_params["id"]))
    return JSONResponse(_session_json(session))


async def delete_session(request: Request) -> Response:
    await run_in_threadpool(
        _state(request).runner.delete_session, SessionId(request.path_params["id"])
    )
    return Response(status_code=204)


# -- starting a cell --------------------------------------------------------------------------


def _start(state: ServerState, data: dict[str, Any]) -> Execution:
    """Start the cell a request names (``docs/api.md``: execute message)."""
    path_name = field(data, "path", str, "")
    document_path: Path | None = None
    notebook = Notebook(cells=())
    if path_name:
        document_path = state.confinement.resolve(path_name)
        if not is_runbook(document_path):
            raise UsageError("not a runbook", where="path")
        notebook = open_document(document_path, where=path_name).notebook
    inline = data.get("cell")
    if inline is not None:
        context = [incoming_cell(c, i) for i, c in enumerate(field(data, "cells", list, []))]
        cells = rebase(Notebook(cells=()), [*context, incoming_cell(inline, len(context))]).cells
        notebook = replace(notebook, cells=cells)
        index = len(cells) - 1
    else:
        index = _index(notebook, data)
    if not notebook.cells[index].is_code:
        raise UsageError("not a code cell", where="cellId")
    overrides: dict[str, Any] = {"env": _string_map(data, "env")}
    if "interactive" in data:
        overrides["interactive"] = field(data, "interactive", bool)
    if "background" in data:
        overrides["background"] = field(data, "background", bool)
    if "storeLastOutput" in data:
        overrides["store_last_output"] = field(data, "storeLastOutput", bool)
    stdin = field(data, "stdin", str, "")
    if stdin:
        overrides["input"] = stdin.encode("utf-8")
    rows, cols = field(data, "rows", int, 0), field(data, "cols", int, 0)
    if rows > 0 and cols > 0:
        overrides["winsize"] = Winsize(min(rows, 1000), min(cols, 1000))
    session = field(data, "sessionId", str, "")
    if session:
        overrides["session_id"] = SessionId(session)
    state.metrics.executions.labels("http").inc()
    return state.runner.run_cell(
        notebook, index, document=document_path, base=state.confinement.root,
        project=state.confinement.root, **overrides,
    )  # fmt: skip


def _index(notebook: Notebook, data: dict[str, Any]) -> int:
    cell_id = field(data, "cellId", str, "")
    if cell_id:
        index = notebook.find(cell_id)
        if index < 0:
            raise UsageError(f"no cell {cell_id} in the runbook", where="cellId")
        return index
    index = field(data, "index", int, -1)
    if not 0 <= index < len(notebook.cells):
        raise UsageError("give a cell: cell, cellId or index", where="cellId")
    return index


# -- one request, one result ------------------------------------------------------------------


async def run(request: Request) -> JSONResponse:
    state = _state(request)
    data = await read_json(request)
    data = {**data, "interactive": False}

    def go() -> dict[str, Any]:
        execution = _start(state, data)
        buffers = {Stream.STDOUT: bytearray(), Stream.STDERR: bytearray()}
        truncated = False
        result = None
        mime = ""
        for event in execution.events():
            if isinstance(event, Output):
                mime = mime or (event.mime_type if event.stream is Stream.STDOUT else "")
                buffer = buffers[event.stream]
                buffer += event.data
                if len(buffer) > RUN_OUTPUT_LIMIT:
                    del buffer[: len(buffer) - RUN_OUTPUT_LIMIT]
                    truncated = True
            elif isinstance(event, Exited):
                result = event.result
        assert result is not None
        reply = {
            "executionId": execution.id,
            "sessionId": execution.session_id,
            "exitCode": result.exit_code,
            "durationMs": round(result.duration_ms, 3),
            "stdout": buffers[Stream.STDOUT].decode("utf-8", "replace"),
            "stderr": buffers[Stream.STDERR].decode("utf-8", "replace"),
            "truncated": truncated,
            "warnings": list(result.warnings),
        }
        if mime:
            reply["mimeType"] = mime
        if is_binary(mime):
            reply["stdout"] = base64.b64encode(buffers[Stream.STDOUT]).decode("ascii")
            reply["stdoutEncoding"] = "base64"
        return reply

    return JSONResponse(await run_in_threadpool(go))


# -- running executions -----------------------------------------------------------------------


async def list_executions(request: Request) -> JSONResponse:
    """What runs now: here, and on the team's other replicas when there is a team."""
    state = _state(request)
    found = {
        e.id: {"id": e.id, "sessionId": e.session_id, "pid": e.pid, "name": e.request.known_name,
               "cellId": e.request.known_id, "background": e.request.background, "replica": "local"}
        for e in state.runner.executions(running=True)
    }  # fmt: skip
    replica = state.workspace.replica
    if replica is not None:
        for remote in await run_in_threadpool(replica.running):
            if remote.id not in found and remote.replica != replica.id:
                found[remote.id] = {"id": remote.id, "sessionId": remote.session_id, "pid": None,
                                    "name": remote.name, "cellId": "", "background": remote.background,
                                    "replica": remote.replica}  # fmt: skip
    return JSONResponse({"executions": list(found.values())})


def _stop_kind(value: Any) -> StopKind:
    if value in (None, "interrupt"):
        return StopKind.INTERRUPT
    if value == "kill":
        return StopKind.KILL
    raise UsageError("must be 'interrupt' or 'kill'", where="kind")


async def stop_execution(request: Request) -> JSONResponse:
    """Stop an execution; one running on another replica is stopped through that replica."""
    data = await read_json(request)
    kind = _stop_kind(data.get("kind"))
    state = _state(request)
    execution_id = ExecutionId(request.path_params["id"])
    try:
        state.runner.stop(execution_id, kind)
    except ExecutionNotFoundError:
        replica = state.workspace.replica
        remote = await run_in_threadpool(replica.owner, execution_id) if replica else None
        if remote is None or remote.replica == replica.id:  # type: ignore[union-attr]
            raise
        await _forward_stop(remote.url, execution_id, kind, state.guard.token)
    return JSONResponse({"stopping": execution_id})


async def _forward_stop(url: str, execution_id: str, kind: StopKind, token: str) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{url}/api/executions/{execution_id}/stop", json={"kind": kind.value},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
    if response.status_code == 404:
        raise ExecutionNotFoundError("no such execution", where=f"execution {execution_id}")
    if response.status_code >= 400:
        raise UsageError(f"the replica running it answered {response.status_code}", where=url)


# -- the WebSocket ----------------------------------------------------------------------------


async def execute_socket(socket: WebSocket) -> None:
    await socket.accept()
    state = _state(socket)
    try:
        first = json.loads(await socket.receive_text())
        if not isinstance(first, dict) or first.get("type") != "execute":
            raise UsageError('the first message must be {"type": "execute", ...}', where="type")
        execution = await run_in_threadpool(_start, state, first)
    except WebSocketDisconnect:
        return
    except (ValueError, WaypostError) as exc:
        code = "bad_request" if isinstance(exc, ValueError | UsageError) else type(exc).__name__
        await _send(socket, {"type": "error", "error": code, "message": str(exc)})
        await socket.close()
        return
    reader = asyncio.create_task(_read_controls(socket, execution))
    try:
        await _forward(socket, execution)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client left; what happens to the program is decided below
    finally:
        reader.cancel()
        if execution.running:
            if execution.request.background:
                execution.detach()
            else:
                execution.stop(StopKind.KILL)
    with contextlib.suppress(RuntimeError):
        await socket.close()


async def _forward(socket: WebSocket, execution: Execution) -> None:
    decoders = {s: codecs.getincrementaldecoder("utf-8")("replace") for s in Stream}
    binary = False  # stdout sniffed as an image, archive, ...: sent as base64, byte for byte
    async for event in execution.aevents():
        if isinstance(event, Started):
            message: dict[str, Any] = {"type": "started", "executionId": event.execution_id,
                                       "sessionId": event.session_id, "pid": event.pid}  # fmt: skip
        elif isinstance(event, Output):
            binary = binary or (event.stream is Stream.STDOUT and is_binary(event.mime_type))
            message = {"type": event.stream.value}
            if binary and event.stream is Stream.STDOUT:
                message["data"] = base64.b64encode(event.data).decode("ascii")
                message["encoding"] = "base64"
            else:
                message["data"] = decoders[event.stream].decode(event.data)
            if event.mime_type:
                message["mimeType"] = event.mime_type
        else:
            result = event.result
            message = {"type": "exited", "exitCode": event.exit_code,
                       "durationMs": round(result.duration_ms, 3), "warnings": list(result.warnings)}  # fmt: skip
        await _send(socket, message)


async def _read_controls(socket: WebSocket, execution: Execution) -> None:
    handlers: dict[str, Callable[[dict[str, Any]], None]] = {
        "input": lambda m: execution.write(str(m.get("data", "")).encode("utf-8")),
        "resize": lambda m: execution.resize(
            Winsize(
                max(1, min(int(m.get("rows", 24)), 1000)), max(1, min(int(m.get("cols", 80)), 1000))
            )
        ),
        "stop": lambda m: execution.stop(_stop_kind(m.get("kind"))),
    }
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = json.loads(await socket.receive_text())
            handler = handlers.get(message.get("type")) if isinstance(message, dict) else None
            if handler is None:
                await _send(socket, {"type": "error", "error": "bad_request",
                                     "message": "unknown message type"})  # fmt: skip
                continue
            try:
                handler(message)
            except (ValueError, TypeError, WaypostError) as exc:
                await _send(socket, {"type": "error", "error": "bad_request", "message": str(exc)})


async def _send(socket: WebSocket, message: dict[str, Any]) -> None:
    await socket.send_text(json.dumps(message, ensure_ascii=False))


Endpoint = Callable[[Request], Awaitable[Response]]

routes = [
    Route("/api/sessions", list_sessions, methods=["GET"]),
    Route("/api/sessions", create_session, methods=["POST"]),
    Route("/api/sessions/{id}", get_session, methods=["GET"]),
    Route("/api/sessions/{id}", delete_session, methods=["DELETE"]),
    Route("/api/run", run, methods=["POST"]),
    Route("/api/executions", list_executions, methods=["GET"]),
    Route("/api/executions/{id}/stop", stop_execution, methods=["POST"]),
    WebSocketRoute("/api/ws/execute", execute_socket),
]
