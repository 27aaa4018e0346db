"""A bare HTTP/2 cleartext client (prior knowledge) that sends and reads at its own pace.

httpx sends a whole request body before it reads the response; a Connect stream and the
early-response cases need the two sides interleaved, frame by frame.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events


@dataclass
class Stream:
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes = b""
    ended: bool = False
    reset: int | None = None


class H2C:
    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=30)
        self.authority = f"{host}:{port}"
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.streams: dict[int, Stream] = {}
        self.closed = False
        self._flush()

    def _flush(self) -> None:
        self.sock.sendall(self.conn.data_to_send())

    def request(self, path: str, headers: dict[str, str], body: bytes | None = None, *,
                end: bool = True) -> int:  # fmt: skip
        stream_id = self.conn.get_next_available_stream_id()
        pseudo = [
            (":method", "POST"),
            (":scheme", "http"),
            (":authority", self.authority),
            (":path", path),
        ]
        self.conn.send_headers(
            stream_id, pseudo + list(headers.items()), end_stream=body is None and end
        )
        self.streams[stream_id] = Stream()
        if body is not None:
            self.conn.send_data(stream_id, body, end_stream=end)
        self._flush()
        return stream_id

    def send(self, stream_id: int, body: bytes, *, end: bool = False) -> None:
        self.conn.send_data(stream_id, body, end_stream=end)
        self._flush()

    def read_until(self, stream_id: int, done: object) -> Stream:
        """Read frames until ``done(stream)`` is true (or the connection closes)."""
        stream = self.streams[stream_id]
        while not done(stream):  # type: ignore[operator]
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
                return stream
            for event in self.conn.receive_data(chunk):
                self._apply(event)
            self._flush()
        return stream

    def _apply(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.ConnectionTerminated):
            self.closed = True
            return
        stream = self.streams.get(getattr(event, "stream_id", 0) or 0)
        if stream is None:
            return
        if isinstance(event, h2.events.ResponseReceived):
            stream.headers = {k.decode(): v.decode() for k, v in event.headers}
        elif isinstance(event, h2.events.DataReceived):
            stream.data += event.data
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            stream.ended = True
        elif isinstance(event, h2.events.StreamReset):
            stream.reset = event.error_code
            stream.ended = True

    def close(self) -> None:
        try:
            self.conn.close_connection()
            self._flush()
        finally:
            self.sock.close()
