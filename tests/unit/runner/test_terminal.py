from __future__ import annotations

import os
from pathlib import Path

from waypost.runner.terminal import TerminalProcess, Winsize


def _read_all(fd: int) -> bytes:
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk


def test_default_window_is_24_by_80():
    assert Winsize() == Winsize(rows=24, cols=80, x=0, y=0)


def test_program_owns_the_terminal_with_the_asked_size():
    process = TerminalProcess(
        ["sh", "-c", "stty size; test -t 0 && echo tty"],
        env=dict(os.environ),
        cwd=Path.cwd(),
        winsize=Winsize(rows=33, cols=101),
    )
    try:
        output = _read_all(process.outputs[0][0])
        process.wait()
        assert process.reap() == 0
    finally:
        process.close()
    assert b"33 101\r\n" in output
    assert b"tty\r\n" in output
