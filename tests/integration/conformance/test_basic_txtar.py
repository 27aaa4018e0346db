"""Runme's own CLI test script, ``basic.txtar``: its ``run`` cases, with ``waypost`` as ``runme``.

The archive is read from ``../shared/conformance/runme`` and interpreted the way Go's
testscript does for the commands it uses (``env``, ``exec``, ``stdout``, ``stderr``). A ``runme``
shim on ``PATH`` starts ``waypost``. Cases that need a tool this machine lacks are skipped, and
say which.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ARCHIVE = Path(__file__).parents[4] / "shared" / "conformance" / "runme" / "basic.txtar"


@dataclass
class Case:
    env: list[tuple[str, str]] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    should_fail: bool = False
    checks: list[tuple[bool, str, str]] = field(default_factory=list)
    """(negated, stream, pattern)"""

    @property
    def label(self) -> str:
        return " ".join(self.command)


def _parse(text: str) -> tuple[list[Case], dict[str, str]]:
    parts = re.split(r"^-- (.+?) --\n", text, flags=re.M)
    files = {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}
    cases, current = [], Case()
    env: list[tuple[str, str]] = []  # testscript's env lasts to the end of the script
    for line in parts[0].splitlines():
        words = shlex.split(line)
        if not words:
            if current.command:
                cases.append(current)
            current = Case(env=list(env))
            continue
        negated = words[0] == "!"
        words = words[1:] if negated else words
        if words[0] == "env":
            name, _, value = words[1].partition("=")
            current.env.append((name, value))
            env.append((name, value))
        elif words[0] == "exec":
            current.command, current.should_fail = words[1:], negated
        elif words[0] in ("stdout", "stderr"):
            current.checks.append((negated, words[0], words[1]))
    if current.command:
        cases.append(current)
    return cases, files


def _run_cases() -> list[Case]:
    if not ARCHIVE.exists():
        return []
    cases, _ = _parse(ARCHIVE.read_text())
    return [c for c in cases if "runme run" in " ".join(c.command)]


def _skip_reason(case: Case) -> str | None:
    if "package-main" in case.label and shutil.which("go") is None:
        return "Go is not installed on this machine; the case runs a Go cell with `go run`"
    return None


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    _, files = _parse(ARCHIVE.read_text())
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    shim = tmp_path / ".bin" / "runme"
    shim.parent.mkdir()
    code = "from waypost.cli.main import run; run()"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c "{code}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    return tmp_path


@pytest.mark.skipif(not ARCHIVE.exists(), reason=f"{ARCHIVE} is not there")
@pytest.mark.parametrize("case", _run_cases(), ids=lambda c: c.label)
def test_runme_run_case_passes_with_waypost(case: Case, workdir: Path):
    reason = _skip_reason(case)
    if reason:
        pytest.skip(reason)
    env = {
        "PATH": f"{workdir / '.bin'}:{os.environ['PATH']}",
        "HOME": str(workdir / ".home"),
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
        "WAYPOST_TEST_MARK": os.environ.get("WAYPOST_TEST_MARK", ""),
    }
    for name, value in case.env:
        env[name] = value.replace("$PATH", env["PATH"]).strip('"')
    done = subprocess.run(
        case.command,
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode != 0) == case.should_fail, done.stderr
    for negated, stream, pattern in case.checks:
        output = done.stdout if stream == "stdout" else done.stderr
        found = re.search(pattern, output, flags=re.M) is not None
        assert found != negated, f"{stream} {'!~' if negated else '~'} {pattern!r}: {output!r}"
