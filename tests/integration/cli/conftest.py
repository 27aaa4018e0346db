"""Run the ``waypost`` command as a user would, in a real process without a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def waypost() -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, cwd: Path, env: dict[str, str] | None = None, **kw: object):
        return subprocess.run(
            [sys.executable, "-c", "from waypost.cli.main import run; run()", *args],
            cwd=cwd,
            env={**os.environ, "SHELL": "/bin/bash", **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            **kw,
        )

    return run
