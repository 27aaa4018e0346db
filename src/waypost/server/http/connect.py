"""The Connect protocol for unary calls, both codecs: ``application/proto`` and ``application/json``.

A request body is one message; the response uses the request's codec. Errors are JSON
``{"code": "...", "message": "..."}`` with the HTTP status Connect assigns to the code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from waypost.errors import ConflictError, ProviderError, UsageError, WaypostError

__all__ = ["ConnectError", "unary"]

_STATUS = {
    "invalid_argument": 400,
    "unauthenticated": 401,
    "permission_denied": 403,
    "not_found": 404,
    "already_exists": 409,
    "aborted": 409,
    "resource_exhausted": 429,
    "failed_precondition": 412,
    "unimplemented": 404,
    "deadline_exceeded": 504,
    "unavailable": 503,
    "internal": 500,
    "unknown": 500,
}


class ConnectError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def error_response(code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=_STATUS.get(code, 500))


def code_for(exc: WaypostError) -> str:
    if isinstance(exc, ProviderError):
        return {"auth": "unauthenticated", "rate_limit": "resource_exhausted",
                "timeout": "deadline_exceeded", "missing_key": "failed_precondition"}.get(exc.kind, "unavailable")  # fmt: skip
    if isinstance(exc, UsageError):
        return "invalid_argument"
    if isinstance(exc, ConflictError):
        return "aborted"
    return "internal"


Handler = Callable[[Any, Request], Awaitable[tuple[Message, dict[str, str]]]]


def unary(
    request_type: type[Message], handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint for one unary Connect method."""

    async def endpoint(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        binary = content_type in ("application/proto", "application/protobuf")
        if not binary and content_type != "application/json":
            return error_response("invalid_argument", f"unsupported content type {content_type!r}")
        body = await request.body()
        message = request_type()
        try:
            if binary:
                message.ParseFromString(body)
            else:
                json_format.Parse(body or b"{}", message, ignore_unknown_fields=True)
        except (DecodeError, json_format.ParseError, ValueError) as exc:
            return error_response("invalid_argument", f"malformed request: {exc}")
        try:
            reply, headers = await handler(message, request)
        except ConnectError as exc:
            return error_response(exc.code, exc.message)
        except WaypostError as exc:
            return error_response(code_for(exc), str(exc))
        if binary:
            return Response(
                reply.SerializeToString(), media_type="application/proto", headers=headers
            )
        text = json_format.MessageToJson(reply, preserving_proto_field_name=False, indent=None)
        return Response(text, media_type="application/json", headers=headers)

    return endpoint
