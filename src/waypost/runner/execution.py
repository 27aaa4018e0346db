"""An execution: one run of a program, from its pid to its exit code, and everything in between.

A thread of its own does the work (it reads every output stream and notices the program's end
through a pidfd; a second one types input into a terminal), so any caller can use an execution:
iterate ``events()`` from a thread (CLI, gRPC), ``async for`` over ``aevents()`` (WebSocket), or
just ``wait()``. Input, resize and stop never block and may come from any thread or request,
which is how a background cell is stopped later.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import queue
import select
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import NewType

from waypost.errors import UsageError
from waypost.runner.environment import EnvChanges
from waypost.runner.mime import sniff
from waypost.runner.output import OutputChannel, OutputFiles, Stream, TailBuffer
from waypost.runner.process import (
    Process,
    boot_ticks,
    end_tree,
    exit_code,
    interrupt_latecomers,
    signal_group,
)
from waypost.runner.program import Program
from waypost.runner.request import ExecuteRequest, StopKind
from waypost.runner.session import SessionId
from waypost.runner.terminal import Winsize

__all__ = [
    "Execution",
    "ExecutionEvent",
    "ExecutionId",
    "ExecutionResult",
    "Exited",
    "Output",
    "Started",
]

ExecutionId = NewType("ExecutionId", str)

READ_SIZE_PIPE = 256 * 1024
"""Bytes asked for per pipe read: what the runner's pipes hold (see ``pipes.PIPE_SIZE``)."""
READ_SIZE_TERMINAL = 16 * 1024
"""Bytes asked for per terminal read; a terminal hands out at most a few KiB at a time."""
COALESCE_PIPE = 256 * 1024
"""Pipe reads are handed to the reader together once they add up to this (never copied)."""
COALESCE_TERMINAL = 64 * 1024
"""Terminal reads (a few KiB each) are gathered up to this size: a terminal's buffer is small,
so handing over sooner keeps the program writing (measured in ``bench/runner.py``)."""
LINGER_MS = 2
"""How long a flowing stream may wait for more output before what it has is sent."""
MAX_CHUNK = 1024 * 1024
"""Largest ``Output`` event; small adjacent chunks are merged up to this when the reader lags."""
_SMALL = 64 * 1024
_SNIFF_BYTES = 3072
"""Bytes of the first output the MIME type is guessed from (``mimetype``'s default)."""
"""Chunks below this size may be merged (copied) into one event by ``_merged``."""
KEPT_OUTPUT = 128 * 1024 - 128 - 3
"""Bytes of stdout kept in memory per execution: the tail (Runme v2 keeps as much for ``$__``)."""
_LEFTOVER_GRACE = 0.2
"""Seconds to let output drain after the program ends before searching for escaped processes."""
_LATECOMER_CHECK = 0.05
"""Seconds after an interrupt to look for processes started while it was delivered."""
_ESCAPED_OUTPUT_WAIT = 5.0
"""Seconds of silence on an output still open after cleanup before it is abandoned."""


@dataclass(frozen=True, slots=True)
class Started:
    """First event: the program is running."""

    execution_id: ExecutionId
    session_id: SessionId
    pid: int


@dataclass(frozen=True, slots=True)
class Output:
    """Bytes the program wrote, in order per stream."""

    stream: Stream
    data: bytes
    mime_type: str = ""
    """Set on the first stdout chunk (Runme sends it with the first response that has data)."""


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """How an execution ended."""

    execution_id: ExecutionId
    session_id: SessionId
    pid: int
    exit_code: int | None
    """The program's status; ``128 + N`` when killed by signal N (130 SIGINT, 137 SIGKILL)."""
    duration_ms: float
    mime_type: str = ""
    stopped: StopKind | None = None
    """Set when someone asked the execution to stop."""
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    last_output: bytes = b""
    """The tail of stdout (at most ``KEPT_OUTPUT`` bytes): what ``$__`` was set from."""
    output_truncated: bool = False
    """``last_output`` is only the tail: the program wrote more than is kept in memory."""
    env_changes: EnvChanges = field(default_factory=EnvChanges)
    """What the cell exported and unset, as applied to the session."""
    warnings: tuple[str, ...] = ()
    """Things the user should know: variables not stored, environment not captured."""


@dataclass(frozen=True, slots=True)
class Exited:
    """Last event: the program ended and the session holds its changes."""

    exit_code: int | None
    result: ExecutionResult


ExecutionEvent = Started | Output | Exited

Finisher = Callable[["Execution", int], tuple[EnvChanges, tuple[str, ...]]]
"""Called once the program ended, with its exit code; updates the session, returns what changed."""


class Execution:
    """A running (or finished) program. Create it with ``Runner.execute``."""

    def __init__(
        self,
        *,
        id: ExecutionId,
        session_id: SessionId,
        request: ExecuteRequest,
        program: Program,
        process: Process,
        files: OutputFiles | None,
        finisher: Finisher,
        marker: bytes,
    ) -> None:
        self.id = id
        self.session_id = session_id
        self.request = request
        self.program = program
        self.pid = process.pid
        self.started = time.time()
        self._process = process
        self._files = files
        self._finisher = finisher
        self._marker = marker
        self._channel: OutputChannel[ExecutionEvent] = OutputChannel()
        self._tail = TailBuffer(KEPT_OUTPUT)
        self._counts = {Stream.STDOUT: 0, Stream.STDERR: 0}
        self._mime = request.mime_type
        self._mime_sent = False
        # re-entrant: a signal handler (the CLI's Ctrl-C) may stop an execution while the
        # same thread is inside one of its methods
        self._lock = threading.RLock()
        self._reaped = False
        self._stopped: StopKind | None = None
        self._consumed = False
        self._future: concurrent.futures.Future[ExecutionResult] = concurrent.futures.Future()
        self._input: queue.SimpleQueue[bytes | None] | None = None
        self._coalesce = COALESCE_TERMINAL if request.interactive else COALESCE_PIPE
        self._read_size = READ_SIZE_TERMINAL if request.interactive else READ_SIZE_PIPE
        self._channel.put(Started(id, session_id, self.pid))

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the threads and send the request's input (called by the runner)."""
        if self.request.interactive:
            self._input = queue.SimpleQueue()
            threading.Thread(target=self._write_input, daemon=True, name=f"in-{self.id}").start()
            if self.request.input:
                self._input.put(self.request.input)
        elif self.request.input:
            threading.Thread(target=self._send_once, daemon=True, name=f"in-{self.id}").start()
        else:
            self._process.close_input()
        threading.Thread(target=self._run, daemon=True, name=f"run-{self.id}").start()

    @property
    def running(self) -> bool:
        return not self._future.done()

    @property
    def result(self) -> ExecutionResult | None:
        return self._future.result() if self._future.done() else None

    def wait(self, timeout: float | None = None) -> ExecutionResult | None:
        """Block until the execution ends; ``None`` if ``timeout`` passed first.

        A caller that waits without reading ``events()`` does not want the stream: it is dropped
        (files and the kept tail still get everything), so a large output cannot fill the
        channel and stall the program forever.
        """
        with self._lock:
            if not self._consumed:
                self._channel.detach()
        try:
            return self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            return None

    async def finished(self) -> ExecutionResult:
        return await asyncio.wrap_future(self._future)

    # -- control (any thread) ----------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Send input: typed keys on a terminal; ignored on pipes, whose input has ended."""
        if self._input is not None and data:
            self._input.put(data)

    def close_input(self) -> None:
        if self._input is not None:
            self._input.put(b"\x04")

    def resize(self, winsize: Winsize) -> None:
        with self._lock:
            if not self._reaped:
                self._process.resize(winsize)

    def stop(self, kind: StopKind = StopKind.INTERRUPT) -> None:
        """Interrupt (SIGINT to the group) or kill (SIGKILL to every process of the execution)."""
        with self._lock:
            if self._reaped:
                return
            if self._stopped is not StopKind.KILL:
                self._stopped = kind
            if kind is StopKind.INTERRUPT:
                since = boot_ticks()
                self._process.interrupt()
                timer = threading.Timer(_LATECOMER_CHECK, self._interrupt_latecomers, (since,))
                timer.daemon = True
                timer.start()
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                end_tree(self.pid, self._marker)

    def _interrupt_latecomers(self, since: int) -> None:
        with self._lock:
            if not self._reaped:
                interrupt_latecomers(self.pid, since)

    def detach(self) -> None:
        """Nobody reads the events any more (a background cell's requester left): stop buffering.

        The program keeps running; its output still goes to files and the kept tail.
        """
        self._channel.detach()

    # -- reading -----------------------------------------------------------------------------

    def events(self) -> Iterator[ExecutionEvent]:
        """``Started``, then ``Output`` as it is produced, then ``Exited``. One reader only."""
        self._claim()
        while True:
            items, done = self._channel.take()
            yield from _merged(items)
            if done:
                return

    async def aevents(self) -> AsyncIterator[ExecutionEvent]:
        """``events()`` for asyncio: never blocks the event loop."""
        self._claim()
        loop = asyncio.get_running_loop()
        while True:
            ready = asyncio.Event()

            def wake(ready: asyncio.Event = ready) -> None:
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    loop.call_soon_threadsafe(ready.set)

            items, done = self._channel.take_nowait(wake)
            for event in _merged(items):
                yield event
            if done:
                return
            if not items:
                await ready.wait()

    def _claim(self) -> None:
        with self._lock:
            if self._consumed:
                raise UsageError("an execution's events can be read only once", where=self.id)
            self._consumed = True

    # -- threads -----------------------------------------------------------------------------

    def _deliver(self, stream: Stream, chunks: list[bytes]) -> None:
        size = 0
        for data in chunks:
            size += len(data)
            if self._files is not None:
                self._files.write(stream, data)
            if stream is Stream.STDOUT:
                self._tail.append(data)
        self._counts[stream] += size
        events: list[tuple[ExecutionEvent, int]] = [(Output(stream, d), len(d)) for d in chunks]
        if stream is Stream.STDOUT and not self._mime_sent:
            self._mime = self._mime or sniff(_head(chunks, _SNIFF_BYTES))
            self._mime_sent = True
            events[0] = (Output(stream, chunks[0], self._mime), len(chunks[0]))
        self._channel.put_many(events)

    def _write_input(self) -> None:
        assert self._input is not None  # set before this thread starts
        while (data := self._input.get()) is not None:
            try:
                self._process.write(data)
            except OSError:
                return

    def _send_once(self) -> None:
        self._process.write(self.request.input)
        self._process.close_input()

    def _run(self) -> None:
        """Read every output until it ends, notice the program's end, then finish."""
        outputs = dict(self._process.outputs)
        with _ExitSignal(self.pid) as exit_signal:
            poller = select.poll()
            for fd in (*outputs, exit_signal.fd):
                os.set_blocking(fd, False)
                poller.register(fd, select.POLLIN)
            ended = self._pump(poller, outputs, exit_signal.fd)
        if not ended:
            self._process.wait()  # closed its outputs but still runs
            signal_group(self.pid, signal.SIGKILL)
        with self._lock:
            returncode = self._process.reap()
            self._reaped = True
        self._finish(exit_code(returncode))

    def _pump(self, poller: select.poll, outputs: dict[int, Stream], exit_fd: int) -> bool:
        """Deliver output until every stream is closed; whether the program ended meanwhile.

        When the program ends, what it left running in its group is killed (``cmd &``: no cell
        outlives its execution). Processes that left the group are searched for only if the
        output stays open a moment later, and given up on after a long silence.
        """
        ended_at: float | None = None
        searched = False
        while outputs:
            timeout = None if ended_at is None else 250
            ready = poller.poll(timeout)
            for fd, _ in ready:
                if fd == exit_fd:
                    poller.unregister(exit_fd)
                    signal_group(self.pid, signal.SIGKILL)
                    ended_at = time.monotonic()
                elif not self._drain(fd, outputs[fd]):
                    poller.unregister(fd)
                    del outputs[fd]
            if ended_at is None or not outputs:
                continue
            waited = time.monotonic() - ended_at
            if waited > _LEFTOVER_GRACE and not searched:
                end_tree(self.pid, self._marker)
                searched = True
            if not ready and waited > _ESCAPED_OUTPUT_WAIT:
                break  # an escaped process holds the output open; stop waiting for it
        return ended_at is not None

    def _drain(self, fd: int, stream: Stream) -> bool:
        """Deliver what ``fd`` has, in chunks of up to ``_coalesce``; ``False`` once it is closed.

        While output keeps flowing, reads are gathered as long as the next one comes within
        ``LINGER_MS``: a fast program then costs one hand-over between threads per
        ``_coalesce`` bytes instead of one per read (a terminal gives a few KiB per read), and a
        prompt still shows within milliseconds. Runme v2 throttles to 30 sends a second.
        """
        read, read_size = os.read, self._read_size
        chunks: list[bytes] = []
        size = 0
        waiter: select.poll | None = None
        while True:
            try:
                data: bytes | None = read(fd, read_size)
            except BlockingIOError:
                data = None
            except OSError:  # EIO: the terminal's last writer is gone
                data = b""
            if data == b"":
                self._flush(stream, chunks)
                return False
            if data:
                chunks.append(data)
                size += len(data)
                if size >= self._coalesce:
                    self._flush(stream, chunks)
                    chunks, size = [], 0
                    continue
                # a short read from a pipe means it is empty: wait instead of asking again
                # (a terminal hands out a few KiB per read however much it holds)
                if self.request.interactive or len(data) == read_size:
                    continue
            if size:
                if waiter is None:
                    waiter = select.poll()
                    waiter.register(fd, select.POLLIN)
                if waiter.poll(LINGER_MS):
                    continue
            self._flush(stream, chunks)
            return True

    def _flush(self, stream: Stream, chunks: list[bytes]) -> None:
        if not chunks:
            return
        if len(chunks) > 1 and self.request.interactive:
            chunks = [b"".join(chunks)]  # a terminal's few-KiB reads: one event
        # pipe reads are handed over together but not copied: at pipe speeds a copy is a fifth
        # of the cost
        self._deliver(stream, chunks)

    def _finish(self, code: int) -> None:
        if self._input is not None:
            self._input.put(None)
        self._process.close()
        if self._files is not None:
            self._files.close()
        try:
            changes, warnings = self._finisher(self, code)
        except Exception as exc:  # a bug must not leave the caller waiting forever
            changes, warnings = EnvChanges(), (f"session not updated: {exc!r}",)
        result = ExecutionResult(
            execution_id=self.id,
            session_id=self.session_id,
            pid=self.pid,
            exit_code=code,
            duration_ms=(time.time() - self.started) * 1000,
            mime_type=self._mime,
            stopped=self._stopped,
            stdout_bytes=self._counts[Stream.STDOUT],
            stderr_bytes=self._counts[Stream.STDERR],
            last_output=self._tail.getvalue(),
            output_truncated=self._tail.truncated,
            env_changes=changes,
            warnings=warnings,
        )
        self._channel.put(Exited(code, result))
        self._channel.close()
        self._future.set_result(result)

    @property
    def last_output(self) -> bytes:
        """The tail of stdout so far."""
        return self._tail.getvalue()


def _head(chunks: list[bytes], size: int) -> bytes:
    """The first ``size`` bytes of ``chunks`` (a program may write its first bytes in pieces)."""
    taken, total = [], 0
    for chunk in chunks:
        taken.append(chunk)
        total += len(chunk)
        if total >= size:
            break
    return b"".join(taken)[:size]


class _ExitSignal:
    """A file descriptor that becomes readable when the process ends (a pidfd on Linux)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.fd = -1
        self._pipe: tuple[int, int] | None = None

    def __enter__(self) -> _ExitSignal:
        try:
            self.fd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # no pidfd: a thread waits and writes to a pipe
            self._pipe = os.pipe()
            self.fd = self._pipe[0]
            threading.Thread(target=self._wait, daemon=True).start()
        return self

    def _wait(self) -> None:
        assert self._pipe is not None  # set before this thread starts
        os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
        os.write(self._pipe[1], b"x")

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)
        if self._pipe is not None:
            os.close(self._pipe[1])


def _merged(events: list[ExecutionEvent]) -> Iterator[ExecutionEvent]:
    """Adjacent chunks of one stream as one event (up to ``MAX_CHUNK``): fewer, larger sends."""
    pending: list[bytes] = []
    size = 0
    head: Output | None = None
    for event in events:
        if (
            isinstance(event, Output)
            and head is not None
            and event.stream is head.stream
            and not event.mime_type
            and len(event.data) < _SMALL
            and size + len(event.data) <= MAX_CHUNK
        ):
            pending.append(event.data)
            size += len(event.data)
            continue
        if head is not None:
            yield (
                Output(head.stream, b"".join(pending), head.mime_type) if len(pending) > 1 else head
            )
            head, pending, size = None, [], 0
        if isinstance(event, Output):
            head, pending, size = event, [event.data], len(event.data)
        else:
            yield event
    if head is not None:
        yield Output(head.stream, b"".join(pending), head.mime_type) if len(pending) > 1 else head
