"""The Connect protocol, both codecs (binary protobuf and JSON), for unary and bidi-streaming calls.

Unary (``application/proto`` or ``application/json``): a request body is one message; the
response uses the request's codec. Errors are JSON ``{"code": "...", "message": "..."}`` with the
HTTP status Connect assigns to the code. A ``gzip`` request body is accepted.

Streaming (``application/connect+proto`` or ``application/connect+json``): both bodies are
sequences of envelopes, a flags byte and a 4-byte big-endian length before each message (flag
``0x01``: gzip-compressed, per ``connect-content-encoding``). The response starts at once with
status 200 and ends with an end-of-stream envelope (flag ``0x02``) whose JSON carries the error,
if any: ``{"error": {"code": "...", "message": "..."}}``. Requests and responses flow at the same
time, which needs HTTP/2 (cleartext with prior knowledge is fine).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from waypost.errors import ConflictError, ProviderError, UsageError, WaypostError
from waypost.log import get_logger

__all__ = ["BidiStream", "ConnectError", "unary"]

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
        if request.headers.get("content-encoding", "identity").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError, zlib.error):
                return error_response("invalid_argument", "malformed gzip body")
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


_log = get_logger("waypost.connect")
_FLAG_COMPRESSED = 0x01
_FLAG_END_STREAM = 0x02
_HEADER = struct.Struct(">BI")
_EOF = object()
_STREAM_TYPES = {"application/connect+proto": True, "application/connect+protobuf": True,
                 "application/connect+json": False}  # fmt: skip

Scope = dict[str, Any]
StreamHandler = Callable[[AsyncIterator[Any], Scope], AsyncIterator[Message]]


class BidiStream:
    """An ASGI endpoint for one bidirectional-streaming Connect method.

    ``handler(requests, scope)`` is an async generator: it reads the decoded request messages
    from ``requests`` while it yields responses. A ``ConnectError`` or ``WaypostError`` it raises
    ends the stream with that error. When the client goes away, the handler is cancelled.
    """

    def __init__(
        self, request_type: type[Message], handler: StreamHandler, *, max_message: int = 32 << 20
    ) -> None:
        self.request_type = request_type
        self.handler = handler
        self.max_message = max_message

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if scope["method"] != "POST":
            await _plain(send, 405, "unimplemented", "use POST")
            return
        if content_type not in _STREAM_TYPES:
            await _plain(send, 415, "unimplemented", f"unsupported content type {content_type!r}")
            return
        binary = _STREAM_TYPES[content_type]
        encoding = headers.get("connect-content-encoding", "identity").lower()
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", content_type.encode()), (b"connect-accept-encoding", b"gzip")]})  # fmt: skip
        if encoding not in ("identity", "gzip"):
            error = ConnectError("unimplemented", f"unsupported compression {encoding!r}")
            await send(_end_stream(error))
            return
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        gone = asyncio.Event()
        reader = asyncio.create_task(self._read(receive, inbox, gone, binary))
        pump = asyncio.create_task(self._pump(_drain(inbox), scope, send, binary))
        waiter = asyncio.create_task(gone.wait())
        try:
            await asyncio.wait({pump, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, pump, waiter):
                task.cancel()
            await asyncio.gather(reader, pump, waiter, return_exceptions=True)
        if gone.is_set() or pump.cancelled():
            return  # nobody to tell
        error = pump.result()
        with contextlib.suppress(Exception):
            await send(_end_stream(error))

    async def _pump(
        self, requests: AsyncIterator[Any], scope: Scope, send: Any, binary: bool
    ) -> ConnectError | None:
        """Send what the handler yields; return the error that ended it, if any."""
        try:
            async for reply in self.handler(requests, scope):
                await send({"type": "http.response.body", "body": _envelope(reply, binary),
                            "more_body": True})  # fmt: skip
        except ConnectError as exc:
            return exc
        except WaypostError as exc:
            return ConnectError(code_for(exc), str(exc))
        except Exception as exc:
            _log.error("stream failed", path=scope.get("path"), exc_info=exc)
            return ConnectError("internal", "internal error; the server log has the details")
        return None

    async def _read(self, receive: Any, inbox: asyncio.Queue[Any], gone: asyncio.Event,
                    binary: bool) -> None:  # fmt: skip
        """Split the request body into messages as it arrives; errors and the end go in too."""
        buffer = bytearray()
        try:
            while True:
                event = await receive()
                if event["type"] == "http.disconnect":
                    gone.set()
                    return
                buffer += event.get("body", b"")
                while len(buffer) >= _HEADER.size:
                    flags, length = _HEADER.unpack_from(buffer)
                    if length > self.max_message:
                        raise ConnectError("resource_exhausted", f"message of {length} bytes")
                    if len(buffer) < _HEADER.size + length:
                        break
                    payload = bytes(buffer[_HEADER.size : _HEADER.size + length])
                    del buffer[: _HEADER.size + length]
                    await inbox.put(self._decode(flags, payload, binary))
                if not event.get("more_body", False):
                    if buffer:
                        raise ConnectError("invalid_argument", "the request ended inside a message")
                    await inbox.put(_EOF)
                    break
        except ConnectError as exc:
            await inbox.put(exc)
        except Exception as exc:  # the body limit, a broken connection
            await inbox.put(ConnectError("invalid_argument", f"cannot read the request: {exc!r}"))
        # the body is done; keep listening for the client leaving
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    def _decode(self, flags: int, payload: bytes, binary: bool) -> Message:
        if flags & _FLAG_COMPRESSED:
            try:
                payload = gzip.decompress(payload)
            except (OSError, EOFError, zlib.error) as exc:
                raise ConnectError("invalid_argument", "malformed gzip message") from exc
        message = self.request_type()
        try:
            if binary:
                message.ParseFromString(payload)
            else:
                json_format.Parse(payload or b"{}", message, ignore_unknown_fields=True)
        except (DecodeError, json_format.ParseError, ValueError) as exc:
            raise ConnectError("invalid_argument", f"malformed request: {exc}") from exc
        return message


async def _drain(inbox: asyncio.Queue[Any]) -> AsyncIterator[Any]:
    while True:
        item = await inbox.get()
        if item is _EOF:
            return
        if isinstance(item, ConnectError):
            raise item
        yield item


def _envelope(message: Message, binary: bool) -> bytes:
    if binary:
        data = message.SerializeToString()
    else:
        data = json_format.MessageToJson(message, indent=None).encode()
    return _HEADER.pack(0, len(data)) + data


def _end_stream(error: ConnectError | None) -> dict[str, Any]:
    body = {} if error is None else {"error": {"code": error.code, "message": error.message}}
    data = json.dumps(body).encode()
    return {"type": "http.response.body", "body": _HEADER.pack(_FLAG_END_STREAM, len(data)) + data,
            "more_body": False}  # fmt: skip


async def _plain(send: Any, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
