"""Output on its way from a process to whoever reads it: the channel, the kept tail, the files."""

from __future__ import annotations

import enum
import queue
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Generic, TypeVar

__all__ = ["DEFAULT_CHANNEL_BYTES", "OutputChannel", "OutputFiles", "Stream", "TailBuffer"]

DEFAULT_CHANNEL_BYTES = 16 * 1024 * 1024
"""Output waiting for its reader before the process is made to wait (Runme v1's buffer size)."""

T = TypeVar("T")


class Stream(enum.Enum):
    STDOUT = "stdout"
    """Standard output; with a PTY, everything the program writes."""
    STDERR = "stderr"


class OutputChannel(Generic[T]):
    """Items from the process's threads to one reader, bounded in bytes.

    When the reader falls behind, the writer blocks and so does the process: nothing is lost and
    memory stays bounded. A detached channel (a background execution nobody reads any more)
    drops sized items instead, so the process keeps running. Waiting sides sleep on
    ``SimpleQueue`` tokens rather than a ``Condition``: a hand-over costs a fraction as much,
    which shows at pipe speeds; a stale token only costs the sleeper one more look.
    """

    def __init__(self, limit: int = DEFAULT_CHANNEL_BYTES) -> None:
        self.limit = limit
        self._items: deque[tuple[T, int]] = deque()
        self._size = 0
        self._closed = False
        self._detached = False
        self._mutex = threading.Lock()
        self._reader_waiting = False
        self._writer_waiting = False
        self._reader_tokens: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._writer_tokens: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._waker: Callable[[], None] | None = None

    def put(self, item: T, size: int = 0) -> None:
        """Add an item; items with a ``size`` wait for room, or are dropped when detached."""
        self.put_many([(item, size)])

    def put_many(self, items: list[tuple[T, int]]) -> None:
        """Add ``(item, size)`` pairs at once: one hand-over to the reader for all of them."""
        size = sum(n for _, n in items)
        while True:
            with self._mutex:
                if not size or self._size < self.limit or self._detached:
                    if self._detached:
                        items = [pair for pair in items if not pair[1]]
                        size = 0
                    self._items.extend(items)
                    self._size += size
                    wake, self._reader_waiting = self._reader_waiting, False
                    break
                self._writer_waiting = True
            self._writer_tokens.get()
        if wake:
            self._wake_reader()

    def _wake_reader(self) -> None:
        waker = self._waker
        if waker is not None:  # an asyncio reader
            waker()
        else:
            self._reader_tokens.put(None)

    def close(self) -> None:
        """No more items will come."""
        with self._mutex:
            self._closed = True
        self._wake_reader()

    def detach(self) -> None:
        """Nobody will read sized items any more: drop those waiting and those to come."""
        with self._mutex:
            self._detached = True
            self._items = deque(i for i in self._items if not i[1])
            self._size = 0
            self._wake_writer()

    @property
    def detached(self) -> bool:
        return self._detached

    def take(self, timeout: float | None = None) -> tuple[list[T], bool]:
        """Everything waiting (blocking until something is), and whether the channel is done."""
        while True:
            with self._mutex:
                if self._items or self._closed:
                    return self._drain()
                self._reader_waiting = True
                self._waker = None
            try:
                self._reader_tokens.get(timeout=timeout)
            except queue.Empty:
                with self._mutex:
                    return self._drain()

    def take_nowait(self, waker: Callable[[], None]) -> tuple[list[T], bool]:
        """Everything waiting; if nothing is, ``waker`` is called (from any thread) when it is."""
        with self._mutex:
            if not self._items and not self._closed:
                self._reader_waiting = True
                self._waker = waker
            return self._drain()

    def _drain(self) -> tuple[list[T], bool]:  # with the mutex held
        items = [item for item, _ in self._items]
        self._items.clear()
        self._size = 0
        self._wake_writer()
        return items, self._closed and not items

    def _wake_writer(self) -> None:  # with the mutex held
        if self._writer_waiting:
            self._writer_waiting = False
            self._writer_tokens.put(None)


class TailBuffer:
    """The last ``limit`` bytes of a stream, and how many came before them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self.dropped = 0
        """Bytes no longer kept (the output's head)."""

    def append(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        while self._size - len(self._chunks[0]) >= self.limit:
            self._size -= len(self._chunks[0])
            self.dropped += len(self._chunks.popleft())

    def getvalue(self) -> bytes:
        data = b"".join(self._chunks)
        excess = len(data) - self.limit
        return data[excess:] if excess > 0 else data

    @property
    def truncated(self) -> bool:
        return self.dropped > 0 or self._size > self.limit


class OutputFiles:
    """Copies of the output written as it arrives (per request, or a cell's ``stdout``/``stderr``)."""

    def __init__(self, paths: dict[Stream, Path]) -> None:
        self._files: dict[Stream, tuple[BinaryIO, threading.Lock]] = {}
        opened: dict[Path, tuple[BinaryIO, threading.Lock]] = {}
        try:
            for stream, path in paths.items():
                key = path.resolve()
                if key not in opened:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    opened[key] = (path.open("wb"), threading.Lock())
                self._files[stream] = opened[key]
        except OSError:
            for handle, _ in opened.values():
                handle.close()
            raise
        self._handles = [h for h, _ in opened.values()]

    def write(self, stream: Stream, data: bytes) -> None:
        entry = self._files.get(stream)
        if entry is None:
            return
        handle, lock = entry
        with lock:
            handle.write(data)

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
