"""One ASGI middleware in front of everything: token, origin, CORS and body size.

- ``/healthz`` and ``/readyz`` are open and say nothing but "ok";
- everything else needs the token: ``Authorization: Bearer``, the ``waypost_token`` cookie (the
  browser page trades ``?token=`` for it), or a ``/t/<token>/`` path prefix (for clients that cannot
  send headers, such as Runme's extension calling the AI service);
- a browser ``Origin`` must be the server's own or one configured (CORS answers only those, never
  ``*``); WebSockets too;
- bodies over the limit are refused with 413 before they are read.
"""

from __future__ import annotations

import json
import struct
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from waypost.server.auth import Guard

__all__ = ["COOKIE", "BodyTooLargeError", "SecurityMiddleware"]

COOKIE = "waypost_token"
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
ALLOW_HEADERS = (
    "authorization, content-type, connect-protocol-version, connect-timeout-ms, x-user-agent"
)
ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
EXPOSE_HEADERS = "foyle-trace-id, grpc-status, grpc-message"

Scope = dict[str, Any]


class SecurityMiddleware:
    def __init__(self, app: Any, guard: Guard, max_body: int) -> None:
        self.app = app
        self.guard = guard
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        own = _own_origins(scope, headers)
        if origin is not None and not self.guard.origin_ok(origin, own):
            await _refuse(scope, send, 403, "origin not allowed")
            return
        cors = origin is not None and origin not in own
        if scope["type"] == "http" and scope["method"] == "OPTIONS" and cors:
            await _preflight(send, origin)
            return
        path = scope["path"]
        if path in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        scope, authorized = self._authorize(scope, headers)
        if not authorized:
            await _refuse(scope, send, 401, "unauthenticated", cors_origin=origin if cors else None)
            return
        if scope["type"] == "http":
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                await _refuse(
                    scope, send, 413, "request too large", cors_origin=origin if cors else None
                )
                return
            receive = _limited(receive, self.max_body)
        if cors:
            send = _with_cors(send, origin)
        await self.app(scope, receive, send)

    def _authorize(self, scope: Scope, headers: dict[str, str]) -> tuple[Scope, bool]:
        path: str = scope["path"]
        if path.startswith("/t/"):
            token, _, rest = path[3:].partition("/")
            if not self.guard.token_ok(token):
                return scope, False
            prefix = f"/t/{token}"
            scope = dict(scope, path="/" + rest, raw_path=("/" + rest).encode(), root_path=prefix)
            return scope, True
        if self.guard.bearer_ok(headers.get("authorization")):
            return scope, True
        cookie = SimpleCookie(headers.get("cookie", ""))
        if COOKIE in cookie and self.guard.token_ok(cookie[COOKIE].value):
            return scope, True
        if scope["type"] == "websocket" or path == "/":
            # browsers cannot put headers on a WebSocket, and the first page load carries the token
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            return scope, bool(query.get("token")) and self.guard.token_ok(query["token"][0])
        return scope, False


def _own_origins(scope: Scope, headers: dict[str, str]) -> list[str]:
    host = headers.get("host", "")
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return [f"{scheme}://{host}"] if host else []


def _limited(receive: Any, limit: int) -> Any:
    seen = 0

    async def wrapped() -> dict[str, Any]:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLargeError
        return message

    return wrapped


class BodyTooLargeError(Exception):
    """A chunked body grew over the limit (the app answers 413 via the exception handler)."""


def _cors_headers(origin: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"access-control-allow-origin", origin.encode()),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-expose-headers", EXPOSE_HEADERS.encode()),
        (b"vary", b"origin"),
    ]


def _with_cors(send: Any, origin: str) -> Any:
    async def wrapped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = dict(message, headers=[*message.get("headers", []), *_cors_headers(origin)])
        await send(message)

    return wrapped


async def _preflight(send: Any, origin: str) -> None:
    headers = [
        *_cors_headers(origin),
        (b"access-control-allow-methods", ALLOW_METHODS.encode()),
        (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
        (b"access-control-max-age", b"600"),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _refuse(
    scope: Scope, send: Any, status: int, message: str, cors_origin: str | None = None
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4401 if status == 401 else 4403})
        return
    connect = "Service/" in scope["path"]
    content_type = _content_type(scope)
    if connect and content_type.startswith("application/connect+"):
        # a Connect stream reports errors in its end-of-stream message, with status 200
        await _refuse_stream(send, content_type, _connect_code(status), message, cors_origin)
        return
    body = json.dumps(
        {"code": _connect_code(status), "message": message} if connect else {"error": message}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if cors_origin:
        headers.extend(_cors_headers(cors_origin))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _content_type(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


async def _refuse_stream(
    send: Any, content_type: str, code: str, message: str, cors_origin: str | None
) -> None:
    end = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", content_type.encode())]
    if cors_origin:
        headers.extend(_cors_headers(cors_origin))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": struct.pack(">BI", 2, len(end)) + end})


def _connect_code(status: int) -> str:
    return {401: "unauthenticated", 403: "permission_denied", 413: "resource_exhausted"}.get(
        status, "unknown"
    )
