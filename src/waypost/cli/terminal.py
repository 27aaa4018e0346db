"""The user's terminal while a cell runs on a PTY: raw mode, keys forwarded, size followed."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import sys
import termios
import threading
import tty
from collections.abc import Iterator
from types import FrameType

from waypost.runner import Execution, Winsize

__all__ = ["attached", "terminal_size", "tty_stdin"]


def tty_stdin() -> bool:
    """Whether a user can type into this run (CI has no terminal: cells then use pipes)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_size() -> Winsize:
    size = shutil.get_terminal_size((80, 24))
    return Winsize(rows=size.lines, cols=size.columns)


@contextlib.contextmanager
def attached(execution: Execution) -> Iterator[None]:
    """Forward keys (raw mode, so Ctrl-C reaches the cell as a byte) and window size changes."""
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    stop_r, stop_w = os.pipe()
    previous = signal.getsignal(signal.SIGWINCH)

    def on_resize(signum: int, frame: FrameType | None) -> None:
        execution.resize(terminal_size())

    forwarder = threading.Thread(target=_forward, args=(fd, stop_r, execution), daemon=True)
    try:
        tty.setraw(fd)
        signal.signal(signal.SIGWINCH, on_resize)
        forwarder.start()
        yield
    finally:
        os.write(stop_w, b"x")
        forwarder.join()
        os.close(stop_r)
        os.close(stop_w)
        signal.signal(signal.SIGWINCH, previous)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _forward(fd: int, stop: int, execution: Execution) -> None:
    while True:
        ready, _, _ = select.select([fd, stop], [], [])
        if stop in ready:
            return
        try:
            data = os.read(fd, 4096)
        except OSError:
            return
        if not data:
            return
        execution.write(data)
