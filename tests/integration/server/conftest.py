"""A real ``waypost serve`` on free loopback ports, over a project of its own, for a whole module."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import RUNME_FIXTURES

TOKEN = "test-token-0123456789"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    root: Path
    http: int
    grpc: int
    state: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.grpc}"

    def client(self, token: str | None = TOKEN, **kw: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kw)  # type: ignore[arg-type]


def start_server(root: Path, *extra: str, env: dict[str, str] | None = None) -> Server:
    state = root.parent / f"{root.name}-state"
    full_env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(state / "config"),
        "WAYPOST_STATE_DIR": str(state),
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "waypost", "serve", "--port", "0", "--grpc-port", "0",
         "--project", str(root), "--token", TOKEN, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
    )  # fmt: skip
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("msg") == "started listening":
            return Server(process, root, record["http"], record["grpc"], state)
    process.kill()
    raise RuntimeError("waypost serve did not start: " + process.stderr.read().decode()[-2000:])


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    shutil.copy(RUNME_FIXTURES / "README.md", root / "README.md")
    (root / "docs").mkdir()
    (root / "docs" / "ops.md").write_text(
        '# Ops\n\nList files:\n\n```sh {"name":"ls"}\nls -la\n```\n'
    )
    return root


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[Server]:
    running = start_server(project, "--cors-origin", "http://allowed.example:3000")
    yield running
    stop_server(running)
