"""HTTP/2: a response never ends before its request does.

Over HTTP/2 a server may answer before the client has sent its whole body: a refused call, or a
stream ended with an error while the client still has messages to send. Hypercorn (0.18) forgets
a stream once its response is complete, and data the client sends after that crashes the whole
connection with a ``KeyError`` (pgjones/hypercorn#329), taking every other call on it along.
Runme's extension multiplexes all its AI calls over one connection, so this middleware holds back
the end of each HTTP/2 response until the request body has ended (the bytes already sent still
reach the client at once), discarding what else arrives, or until the client is gone.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RequestEndFirst"]


class RequestEndFirst:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("http_version") != "2":
            await self.app(scope, receive, send)
            return
        request_done = False
        gone = False

        async def watched_receive() -> dict[str, Any]:
            nonlocal request_done, gone
            message = await receive()
            if message["type"] == "http.disconnect":
                gone = True
            elif message["type"] == "http.request" and not message.get("more_body", False):
                request_done = True
            return message

        async def holding_send(message: dict[str, Any]) -> None:
            nonlocal request_done, gone
            last = message["type"] == "http.response.body" and not message.get("more_body", False)
            if not last or request_done or gone:
                await send(message)
                return
            if message.get("body"):
                await send({**message, "more_body": True})
            while not request_done and not gone:
                await watched_receive()
            if not gone:
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app(scope, watched_receive, holding_send)
