"""The extension's own Connect client (Node, ``@connectrpc/connect-node`` over HTTP/2) against a
real ``waypost serve``: ``tests/node/extension_client.test.mjs`` drives it; this test installs it
(``npm ci``, cached in ``tests/node/node_modules``), generates its message types from ``proto/``,
runs it, and then checks what it logged reached the event log and the learner."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.server.conftest import TOKEN, start_server, stop_server
from waypost.learn import SqliteStore

NODE_PROJECT = Path(__file__).resolve().parents[2] / "node"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are needed to run the extension's Connect client",
)


def _npm(*args: str) -> None:
    done = subprocess.run(["npm", *args], cwd=NODE_PROJECT, capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 0, f"npm {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def _install() -> None:
    """``npm ci`` once per lock file; the message types are generated every time (protos change)."""
    lock = hashlib.sha256((NODE_PROJECT / "package-lock.json").read_bytes()).hexdigest()
    stamp = NODE_PROJECT / "node_modules" / ".waypost-lock"
    if not stamp.is_file() or stamp.read_text() != lock:
        _npm("ci", "--no-audit", "--no-fund")
        stamp.write_text(lock)
    _npm("run", "--silent", "generate")


def test_extension_connect_client_against_waypost_serve(tmp_path: Path) -> None:
    _install()
    root = tmp_path / "project"
    root.mkdir()
    server = start_server(root)
    report = tmp_path / "report.json"
    try:
        env = {**os.environ, "WAYPOST_AI_BASE_URL": f"{server.url}/t/{TOKEN}/api",
               "WAYPOST_URL": server.url, "WAYPOST_TOKEN": TOKEN, "WAYPOST_NODE_REPORT": str(report)}  # fmt: skip
        done = subprocess.run(["node", "--test", "extension_client.test.mjs"], cwd=NODE_PROJECT,
                              env=env, capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL)  # fmt: skip
        assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-4000:]
        assert "# fail 0" in done.stdout and "# pass 5" in done.stdout, done.stdout[-4000:]
        logged = json.loads(report.read_text())
        events = _events(server.state / "events" / "events.jsonl")
        executed = {e["cell_id"]: e for e in events if e["type"] == "execute"}
        for item in logged["executed"]:
            event = executed[item["id"]]
            assert (event["command"], event["exit_code"], event["source"]) == (
                item["command"],
                0,
                "extension",
            )
            assert event["context"][-1]["value"] == item["ask"]
        accepted = [e["cell_id"] for e in events if e["type"] == "accepted"]
        assert accepted == logged["accepted"]  # the stranger's acceptance was refused
        sessions = [(e["type"], e["session_id"]) for e in events if e["type"].startswith("session")]
        assert sessions == [
            ("session_start", logged["sessions"][0]),
            ("session_end", logged["sessions"][0]),
        ]
        generated = [e for e in events if e["type"] == "generate" and e["source"] == "extension"]
        assert generated and all(e["cells"] is not None for e in generated)
    finally:
        stop_server(server)
    store = SqliteStore(server.state / "learn.sqlite")
    try:
        learned = {e.cell_id: e for e in store.since(0)[0]}
    finally:
        store.close()
    for item in logged["executed"]:
        assert learned[item["id"]].answer == item["command"]
        assert learned[item["id"]].source == "extension"


def _events(path: Path, within: float = 10.0) -> list[dict[str, object]]:
    deadline = time.monotonic() + within
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return [json.loads(line) for line in path.read_text().splitlines()]
