"""Integration fixtures: every test must leave no process behind.

Processes are found two ways, independently of the runner's own bookkeeping: descendants of this
test process, and any process whose environment carries this test's marker (every process the
runner starts inherits it, even after it left its group or session).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).parent.parent / "programs"
MARKER = "WAYPOST_TEST_MARK"


def _table() -> dict[int, tuple[int, str]]:
    """pid -> (ppid, state)"""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), fields[0].decode())
    return table


def _marked(pid: int, marker: bytes) -> bool:
    try:
        return marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def _describe(pid: int) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        cmd = "?"
    return f"{pid}: {cmd.strip()}"


def leftovers(marker: bytes, baseline: set[int]) -> list[str]:
    me = os.getpid()
    table = _table()
    found = []
    for pid, (_, state) in table.items():
        if pid == me or pid in baseline:
            continue
        ancestor, hops = pid, 0
        while ancestor > 1 and hops < 64:
            ancestor, hops = table.get(ancestor, (0, ""))[0], hops + 1
            if ancestor == me:
                found.append(_describe(pid) + f" [{state}] (descendant)")
                break
        else:
            if state != "Z" and _marked(pid, marker):
                found.append(_describe(pid) + " (marked)")
    return found


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Fails the test if any process it started is still there shortly after it ended."""
    value = uuid.uuid4().hex
    marker = f"{MARKER}={value}".encode()
    me = os.getpid()
    baseline = {pid for pid, (ppid, _) in _table().items() if ppid == me}
    os.environ[MARKER] = value
    try:
        yield
    finally:
        del os.environ[MARKER]
    deadline = time.monotonic() + 5
    found = leftovers(marker, baseline)
    while found and time.monotonic() < deadline:
        time.sleep(0.05)
        found = leftovers(marker, baseline)
    assert not found, "processes left behind:\n" + "\n".join(found)


@pytest.fixture
def programs() -> Path:
    return PROGRAMS
