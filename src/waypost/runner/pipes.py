"""A program on pipes: separate stdout and stderr, and input that ends (data, then EOF).

As in Runme's non-interactive commands, input is written once and then closed, so a program
that reads its input never waits for more.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path

from waypost.runner.output import Stream
from waypost.runner.terminal import Winsize

__all__ = ["PipeProcess"]


PIPE_SIZE = 256 * 1024
"""Bytes the stdout pipe holds (Linux's default is 64 KiB). A fast program then writes ahead
while the runner hands output over, and each read brings more; measured in ``bench/runner.py``.
Kept well below the 1 MiB maximum: pipe memory counts against a per-user limit, and a server
runs many cells at once."""


def _enlarge(fd: int) -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux, or over the limit: keep it
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)


@functools.cache
def _has_terminal() -> bool:
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError:
        return False
    return True


class PipeProcess:
    """A program whose stdin, stdout and stderr are pipes, in a process group of its own.

    When the runner has a controlling terminal (the CLI in a terminal), the program gets a new
    session instead: a program that opens ``/dev/tty`` (``ssh``, ``sudo``) then fails rather than
    being stopped in the background, which would hang the run. Without a terminal (CI, servers)
    there is nothing to escape from, and a new session would put the program in a scheduling
    group of its own (Linux autogroups), which costs a fifth of its throughput on a busy machine.
    """

    def __init__(self, argv: list[str], *, env: Mapping[str, str], cwd: Path) -> None:
        self._popen = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            cwd=cwd,
            start_new_session=_has_terminal(),
            process_group=None if _has_terminal() else 0,
            bufsize=0,
        )
        self.pid = self._popen.pid
        assert self._popen.stdout and self._popen.stderr
        self.outputs = (
            (self._popen.stdout.fileno(), Stream.STDOUT),
            (self._popen.stderr.fileno(), Stream.STDERR),
        )
        _enlarge(self.outputs[0][0])

    def write(self, data: bytes) -> None:
        stdin = self._popen.stdin
        if stdin is None or stdin.closed:
            return  # after end of input, later input is ignored (Runme does the same)
        view = memoryview(data)
        with contextlib.suppress(OSError):  # BrokenPipeError: the program stopped reading
            while view:
                view = view[stdin.write(view) or 0 :]

    def close_input(self) -> None:
        stdin = self._popen.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()

    def resize(self, winsize: Winsize) -> None:
        pass  # pipes have no window

    def interrupt(self) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGINT)

    def wait(self) -> None:
        os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)

    def reap(self) -> int:
        return self._popen.wait()

    def close(self) -> None:
        for stream in (self._popen.stdin, self._popen.stdout, self._popen.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
