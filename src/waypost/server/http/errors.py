"""Waypost errors as HTTP answers: one status per kind, a JSON body naming the problem."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from waypost.errors import (
    ConfigError,
    ConflictError,
    EnvironmentLimitError,
    ExecutionNotFoundError,
    FormatError,
    InterpreterNotFoundError,
    ProjectError,
    ProviderError,
    SessionConflictError,
    SessionNotFoundError,
    SpawnError,
    TaskError,
    UsageError,
    WaypostError,
)

__all__ = ["error_json", "waypost_error_handler"]

_STATUS: list[tuple[type[WaypostError], int, str]] = [
    (ConflictError, 409, "conflict"),
    (FormatError, 422, "unreadable_runbook"),
    (ProjectError, 404, "not_found"),
    (SessionNotFoundError, 404, "not_found"),
    (ExecutionNotFoundError, 404, "not_found"),
    (SessionConflictError, 409, "conflict"),
    (InterpreterNotFoundError, 400, "interpreter_not_found"),
    (SpawnError, 400, "cannot_start"),
    (EnvironmentLimitError, 400, "environment_too_large"),
    (TaskError, 404, "not_found"),
    (ProviderError, 502, "provider_failed"),
    (UsageError, 400, "bad_request"),
    (ConfigError, 500, "bad_config"),
]


def error_json(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


async def waypost_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WaypostError)
    for kind, status, code in _STATUS:
        if isinstance(exc, kind):
            return error_json(status, code, str(exc))
    return error_json(500, "internal", str(exc))
