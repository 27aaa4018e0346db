"""A program on a pseudo-terminal: one output stream, typed input, a window size, Ctrl-C semantics.

The program gets the terminal as its controlling terminal in a new session, as a program started
from a terminal emulator would, so ``read``, prompts, colours and ``isatty`` behave. Echo stays on
(Runme's ``EnableEcho``), so typed input shows in the output as it would on screen.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import struct
import subprocess
import termios
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from waypost.runner.output import Stream

__all__ = ["TerminalProcess", "Winsize"]


@dataclass(frozen=True, slots=True)
class Winsize:
    """A terminal's size (Runme's ``Winsize``)."""

    rows: int = 24
    cols: int = 80
    x: int = 0
    """Width in pixels (rarely known)."""
    y: int = 0
    """Height in pixels."""


def _set_size(fd: int, size: Winsize) -> None:
    packed = struct.pack("HHHH", size.rows, size.cols, size.x, size.y)
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, packed)


def _take_terminal() -> None:  # runs in the child between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


_SETSID = shutil.which("setsid")
"""util-linux's ``setsid --ctty``: a new session whose controlling terminal is stdin, with no
Python code between fork and exec. In a process with other threads (a gRPC server) a
``preexec_fn`` can crash the child: it runs Python after fork while those threads held locks."""


class TerminalProcess:
    """A program whose stdin, stdout and stderr are one pseudo-terminal."""

    def __init__(
        self,
        argv: list[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        winsize: Winsize | None = None,
    ) -> None:
        master, slave = os.openpty()
        try:
            _set_size(slave, winsize or Winsize())
            if _SETSID is not None:
                self._popen = subprocess.Popen(
                    [_SETSID, "--ctty", *argv], stdin=slave, stdout=slave, stderr=slave,
                    env=dict(env), cwd=cwd,
                )  # fmt: skip
            else:  # no util-linux: make the terminal controlling from Python in the child
                self._popen = subprocess.Popen(
                    argv, stdin=slave, stdout=slave, stderr=slave, env=dict(env), cwd=cwd,
                    start_new_session=True, preexec_fn=_take_terminal,
                )  # fmt: skip
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self._master = master
        self.pid = self._popen.pid
        self.outputs = ((master, Stream.STDOUT),)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._master, view)
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EBADF):
                    return  # the program is gone; its input goes nowhere
                raise
            view = view[written:]

    def close_input(self) -> None:
        # a terminal has no end of input, but Ctrl-D at the start of a line is what a user types
        self.write(b"\x04")

    def resize(self, winsize: Winsize) -> None:
        _set_size(self._master, winsize)

    def interrupt(self) -> None:
        # a program may have taken the terminal's foreground (a nested shell with job control):
        # Ctrl-C reaches that group, so signal it as well as the cell's own group
        with contextlib.suppress(OSError):
            foreground = os.tcgetpgrp(self._master)
            if foreground != self.pid:
                os.killpg(foreground, signal.SIGINT)
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGINT)

    def wait(self) -> None:
        os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)

    def reap(self) -> int:
        return self._popen.wait()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._master)
