from __future__ import annotations

import os
import subprocess

from waypost.runner.process import end_tree, exit_code, find_tree, list_processes


def test_signal_deaths_read_like_a_shell():
    assert exit_code(0) == 0
    assert exit_code(3) == 3
    assert exit_code(-2) == 130
    assert exit_code(-9) == 137


def test_process_table_includes_this_process():
    me = next(p for p in list_processes() if p.pid == os.getpid())
    assert me.ppid == os.getppid()
    assert me.start > 0


def test_end_tree_kills_a_group_and_its_children():
    proc = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60"], start_new_session=True)
    try:
        end_tree(proc.pid)
        assert proc.wait(timeout=10) == -9
        assert find_tree(proc.pid) == set()
    finally:
        proc.kill()
        proc.wait()
