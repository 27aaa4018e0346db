"""Processes: the backend protocol (PTY or pipes), exit codes, and ending a whole process tree.

Every cell starts in a new session (``setsid``), so its process id is also its process group and
session id. A cell's children usually stay in that group, but a program can leave it (job control,
``setsid``, daemons), so cleanup also looks for the runner's marker variable in each process's
environment: whatever inherited it belongs to the execution, wherever it moved.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from waypost.runner.output import Stream
from waypost.runner.terminal import Winsize

__all__ = [
    "Process",
    "ProcessInfo",
    "boot_ticks",
    "end_tree",
    "exit_code",
    "find_tree",
    "interrupt_latecomers",
    "list_processes",
    "signal_group",
]

_TICKS = os.sysconf("SC_CLK_TCK")


class Process(Protocol):
    """A started program. The runner reads ``outputs`` from its own threads."""

    pid: int
    outputs: tuple[tuple[int, Stream], ...]
    """File descriptors to read until EOF, and which stream each carries."""

    def write(self, data: bytes) -> None:
        """Send input; may block, so the runner calls it from its writer thread."""
        ...

    def close_input(self) -> None: ...

    def resize(self, winsize: Winsize) -> None: ...

    def interrupt(self) -> None:
        """SIGINT to the program's process group (and a terminal's foreground group)."""
        ...

    def wait(self) -> None:
        """Block until the program has ended, without reaping it (its group id stays valid)."""
        ...

    def reap(self) -> int:
        """Collect the ended program; its ``returncode`` (negative: killed by that signal)."""
        ...

    def close(self) -> None:
        """Release file descriptors once the outputs are read."""
        ...


def exit_code(returncode: int) -> int:
    """A shell's view of a status: killed by signal N is ``128 + N`` (SIGINT 130, SIGKILL 137)."""
    return 128 - returncode if returncode < 0 else returncode


def signal_group(pgid: int, sig: int) -> bool:
    """Signal a process group; ``False`` when it has no members left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """One line of the process table."""

    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str
    """``R``, ``S``, ``Z`` (zombie)..."""
    start: int = 0
    """When it started, in clock ticks since boot."""


def list_processes() -> Iterator[ProcessInfo]:
    """The process table, read from ``/proc``."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may contain spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        yield ProcessInfo(
            pid=int(entry),
            ppid=int(fields[1]),
            pgid=int(fields[2]),
            sid=int(fields[3]),
            state=fields[0].decode(),
            start=int(fields[19]),
        )


def _has_marker(pid: int, marker: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return marker in handle.read().split(b"\0")
    except OSError:
        return False


def find_tree(root: int, marker: bytes | None = None) -> set[int]:
    """Live processes of an execution: in ``root``'s session or group, below it, or marked."""
    table = [p for p in list_processes() if p.state != "Z"]
    children: dict[int, list[int]] = {}
    for info in table:
        children.setdefault(info.ppid, []).append(info.pid)
    found = {p.pid for p in table if root in (p.sid, p.pgid)}
    stack = [root, *found]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    if marker:
        found.update(p.pid for p in table if p.pid not in found and _has_marker(p.pid, marker))
    found.discard(root)  # the root is signalled (and reaped) by its owner
    found.discard(os.getpid())
    return found


def end_tree(root: int, marker: bytes | None = None, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to everything ``find_tree`` finds, again until nothing new turns up."""
    signal_group(root, sig)
    seen: set[int] = set()
    for _ in range(5):  # a dying shell may fork once more; a few rounds catch that
        victims = find_tree(root, marker) - seen
        if not victims:
            return
        for pid in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        seen |= victims


def boot_ticks() -> int:
    """Now, in the clock ticks since boot that ``/proc`` start times use."""
    return int(time.clock_gettime(time.CLOCK_BOOTTIME) * _TICKS)


def interrupt_latecomers(pgid: int, since: int) -> None:
    """SIGINT the group's processes that started while the first SIGINT was on its way.

    A shell blocks signals while it forks: an interrupt landing then reaches the shell but not
    the command it is starting, and bash, seeing that command end normally, assumes it handled
    the interrupt and carries on. Only processes started since the first SIGINT are signalled
    (on a busy machine the fork can take a while), so no process gets a second one; the price is
    that a process an ``INT`` trap starts within that moment is interrupted too.
    """
    for info in list_processes():
        if info.pgid == pgid and info.start >= since and info.state != "Z":
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(info.pid, signal.SIGINT)
