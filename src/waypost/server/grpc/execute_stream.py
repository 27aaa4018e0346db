"""One Execute stream, whichever runner API version carries it.

The first request starts the execution; a thread applies the client's later requests (input,
window size, stop) while the response stream yields the pid, the output and the exit code. When
the client goes away, a background cell is left running and anything else is killed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import grpc

from waypost.errors import (
    EnvironmentLimitError,
    InterpreterNotFoundError,
    RunnerError,
    SessionNotFoundError,
    SpawnError,
    UsageError,
    WaypostError,
)
from waypost.runner import (
    ExecuteRequest,
    Execution,
    ExecutionEvent,
    ExecutionId,
    ExecutionResult,
    Exited,
    Output,
    Runner,
    SessionId,
    Started,
    StopKind,
    Stream,
    Winsize,
)

__all__ = ["abort_for", "apply_control", "responder", "stream_execution"]

_STOPS = {1: StopKind.INTERRUPT, 2: StopKind.KILL}
"""``EXECUTE_STOP_INTERRUPT`` and ``EXECUTE_STOP_KILL``: the same numbers in v1 and v2."""


def apply_control(execution: Execution, message: Any) -> None:
    """A later ``ExecuteRequest`` (either version): typed input, a new window size, a stop."""
    if message.input_data:
        execution.write(message.input_data)
    if message.HasField("winsize"):
        size = message.winsize
        execution.resize(Winsize(size.rows or 24, size.cols or 80, size.x, size.y))
    if message.stop in _STOPS:
        execution.stop(_STOPS[message.stop])


def responder(
    response: type, set_pid: Callable[[Any, int], None]
) -> Callable[[ExecutionEvent], Any]:
    """Runme's response stream for ``response`` messages: the pid first, then output (the MIME
    type with the first stdout data), then the exit code."""

    def respond(event: ExecutionEvent) -> Any:
        if isinstance(event, Started):
            message = response()
            set_pid(message, event.pid)
            return message
        if isinstance(event, Output):
            if event.stream is Stream.STDOUT:
                return response(stdout_data=event.data, mime_type=event.mime_type)
            return response(stderr_data=event.data)
        message = response()
        if isinstance(event, Exited) and event.exit_code is not None:
            message.exit_code.value = event.exit_code
        return message

    return respond


def abort_for(context: grpc.ServicerContext, exc: WaypostError) -> None:
    """End the call with the status that matches a Waypost error."""
    if isinstance(exc, SessionNotFoundError):
        context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
    if isinstance(exc, UsageError | InterpreterNotFoundError | SpawnError | EnvironmentLimitError):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    if isinstance(exc, RunnerError):
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
    context.abort(grpc.StatusCode.INTERNAL, str(exc))


def stream_execution(
    runner: Runner,
    request: ExecuteRequest,
    later: Iterator[Any],
    context: grpc.ServicerContext,
    *,
    respond: Callable[[ExecutionEvent], Any],
    control: Callable[[Execution, Any], None],
    on_half_close: Callable[[Execution], None] | None = None,
) -> Iterator[Any]:
    """Start ``request`` and yield ``respond(event)`` for every event (skipping ``None``s).

    ``control`` applies a later request; ``on_half_close`` runs when the client stops sending.
    """
    try:
        execution = runner.execute(request)
    except InterpreterNotFoundError as exc:
        yield from _refused(exc, respond)
        return
    except WaypostError as exc:
        abort_for(context, exc)
        return

    def on_done() -> None:
        if execution.running:
            if request.background:
                execution.detach()
            else:
                execution.stop(StopKind.KILL)

    context.add_callback(on_done)
    threading.Thread(
        target=_apply_later, args=(execution, later, control, on_half_close), daemon=True,
        name=f"execute-input-{execution.id}",
    ).start()  # fmt: skip
    for event in execution.events():
        response = respond(event)
        if response is not None:
            yield response


def _refused(
    exc: InterpreterNotFoundError, respond: Callable[[ExecutionEvent], Any]
) -> Iterator[Any]:
    """A missing interpreter is reported as the shell does: a message on stderr and exit 127."""
    result = ExecutionResult(ExecutionId(""), SessionId(""), 0, 127, 0.0)
    for event in (Output(Stream.STDERR, f"{exc}\n".encode()), Exited(127, result)):
        response = respond(event)
        if response is not None:
            yield response


def _apply_later(
    execution: Execution,
    later: Iterator[Any],
    control: Callable[[Execution, Any], None],
    on_half_close: Callable[[Execution], None] | None,
) -> None:
    try:
        for message in later:
            control(execution, message)
    except grpc.RpcError:
        return  # the call ended; on_done decides what happens to the process
    except Exception:  # a bad request must not leave the program without its client
        execution.stop(StopKind.KILL)
        return
    if on_half_close is not None and execution.running:
        on_half_close(execution)
