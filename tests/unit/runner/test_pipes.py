from __future__ import annotations

import fcntl
import os
from pathlib import Path

from waypost.runner.pipes import PIPE_SIZE, PipeProcess


def test_program_gets_its_own_process_group_and_a_larger_stdout_pipe():
    process = PipeProcess(["sh", "-c", "exit 3"], env=dict(os.environ), cwd=Path.cwd())
    try:
        assert os.getpgid(process.pid) == process.pid
        stdout = process.outputs[0][0]
        assert fcntl.fcntl(stdout, fcntl.F_GETPIPE_SZ) == PIPE_SIZE
        process.close_input()
        process.wait()
        assert process.reap() == 3
    finally:
        process.close()


def test_input_after_end_of_input_is_ignored():
    process = PipeProcess(["cat"], env=dict(os.environ), cwd=Path.cwd())
    try:
        process.write(b"once\n")
        process.close_input()
        process.write(b"ignored\n")
        assert os.read(process.outputs[0][0], 100) == b"once\n"
        process.wait()
        assert process.reap() == 0
    finally:
        process.close()
