"""A local stand-in for the OpenAI and Anthropic HTTP APIs, for tests that use the real SDKs.

It answers ``POST /v1/chat/completions`` (OpenAI) and ``POST /v1/messages`` (Anthropic) with a
scripted reply and records every request, so a test can check what the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted reply: the model's text, or an error status, or a malformed body, maybe late."""

    text: str = ""
    status: int = 200
    delay: float = 0.0
    body: Any = None
    """Sent as is instead of a well-formed answer (for malformed answers)."""


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class StandIn:
    server: ThreadingHTTPServer
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(text="```sh\necho default\n```"))

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def next_reply(self) -> Reply:
        return self.replies.popleft() if self.replies else self.default

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _openai_body(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49},
    }


def _anthropic_body(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "msg_standin",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 40, "output_tokens": 9},
    }


def _error_body(status: int) -> dict[str, Any]:
    kinds = {401: "authentication_error", 429: "rate_limit_error", 500: "api_error"}
    return {
        "type": "error",
        "error": {
            "type": kinds.get(status, "invalid_request_error"),
            "message": f"stand-in {status}",
        },
    }


def start() -> StandIn:
    holder: dict[str, StandIn] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            stand_in = holder["s"]
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            stand_in.requests.append(
                Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            reply = stand_in.next_reply()
            if reply.delay:
                time.sleep(reply.delay)
            model = body.get("model", "stand-in")
            if reply.body is not None:
                payload = reply.body
            elif reply.status != 200:
                payload = _error_body(reply.status)
            elif self.path.endswith("/chat/completions"):
                payload = _openai_body(reply.text, model)
            elif self.path.endswith("/messages"):
                payload = _anthropic_body(reply.text, model)
            else:
                self.send_error(404)
                return
            data = json.dumps(payload).encode()
            try:
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if reply.status == 429:
                    self.send_header("retry-after", "0")
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stand_in = StandIn(server)
    holder["s"] = stand_in
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stand_in
