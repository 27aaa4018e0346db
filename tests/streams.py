"""The request side of a client-streaming gRPC call (``Execute``), fed while responses are read."""

from __future__ import annotations

import queue
from collections.abc import Iterator


class Requests:
    """Messages for a request stream: ``send`` more, ``complete`` to half-close."""

    def __init__(self, first: object) -> None:
        self.queue: queue.Queue[object] = queue.Queue()
        self.queue.put(first)

    def send(self, message: object) -> None:
        self.queue.put(message)

    def complete(self) -> None:
        self.queue.put(None)

    def __iter__(self) -> Iterator[object]:
        while (item := self.queue.get()) is not None:
            yield item
