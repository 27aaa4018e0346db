"""Three ``waypost serve`` replicas on loopback sharing one PostgreSQL: a team's deployment."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from tests.integration.server.conftest import TOKEN, Server, start_server, stop_server


@pytest.fixture(scope="module")
def replicas(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    root = tmp_path_factory.mktemp("team")
    (root / "ops.md").write_text(
        '# Ops\n\nCheck the billing service:\n\n```sh {"name":"check"}\necho billing ok\n```\n'
    )
    started = []
    for name in "abc":
        state = tmp_path_factory.mktemp(f"replica-{name}")
        env = {
            "WAYPOST_STORE_URL": pg_url,
            "WAYPOST_SERVER_TEAM": "acme",
            "WAYPOST_STATE_DIR": str(state),
        }
        started.append(start_server(root, env=env))
    yield started
    for server in started:
        if server.process.poll() is None:
            stop_server(server)


def run(server: Server, cell: str, **extra: object) -> dict:
    with server.client() as client:
        response = client.post(
            "/api/run", json={"cell": {"kind": "code", "value": cell, "languageId": "sh"}, **extra}
        )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_variable_exported_on_one_replica_is_seen_on_another(replicas: list[Server]) -> None:
    a, b, _ = replicas
    with a.client() as client:
        session = client.post("/api/sessions", json={}).json()["id"]
    assert run(a, "export SHARED=from-a", sessionId=session)["exitCode"] == 0
    assert run(b, "echo $SHARED", sessionId=session)["stdout"] == "from-a\n"
    with b.client() as client:
        assert client.get(f"/api/sessions/{session}").json()["env"]["SHARED"] == "from-a"


def test_an_execution_on_one_replica_teaches_the_others(replicas: list[Server]) -> None:
    _, b, c = replicas
    cells = [
        {"kind": "markup", "value": "# Ops"},
        {"kind": "markup", "value": "Check the billing service:"},
    ]
    for _ in range(3):
        with b.client() as client:
            response = client.post(
                "/api/run", json={"path": "ops.md", "index": _cell_index(b, "check")}
            )
            assert response.json()["exitCode"] == 0
    deadline = time.monotonic() + 30
    suggestion: list = []
    while time.monotonic() < deadline and not suggestion:
        with c.client() as client:
            suggestion = client.post("/api/generate", json={"cells": cells}).json()["cells"]
        time.sleep(0.5)
    assert [cell["value"] for cell in suggestion] == ["echo billing ok"]


def _cell_index(server: Server, name: str) -> int:
    with server.client() as client:
        files = client.get("/api/files").json()["files"]
    return next(c["index"] for f in files for c in f["cells"] if c["name"] == name)


def test_a_background_cell_is_listed_everywhere_and_stopped_through_its_owner(
    replicas: list[Server],
) -> None:
    a, b, _ = replicas
    from websockets.sync.client import connect

    with connect(
        f"ws://127.0.0.1:{a.http}/api/ws/execute",
        additional_headers={"Authorization": f"Bearer {TOKEN}"},
    ) as ws:
        ws.send(json.dumps({"type": "execute", "background": True, "interactive": False,
                            "cell": {"kind": "code", "value": "sleep 120", "languageId": "sh"}}))  # fmt: skip
        started = json.loads(ws.recv(timeout=10))
    execution = started["executionId"]
    with b.client() as client:
        listed = client.get("/api/executions").json()["executions"]
        assert execution in [e["id"] for e in listed]
        assert (
            client.post(f"/api/executions/{execution}/stop", json={"kind": "kill"}).status_code
            == 200
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and execution in [
            e["id"] for e in client.get("/api/executions").json()["executions"]
        ]:
            time.sleep(0.2)
        assert execution not in [
            e["id"] for e in client.get("/api/executions").json()["executions"]
        ]


def test_killing_a_replica_mid_run_loses_no_event_and_corrupts_no_session(
    replicas: list[Server], pg_url: str
) -> None:
    a, b, _ = replicas
    with b.client() as client:
        session = client.post("/api/sessions", json={"env": {"KEEP": "1"}}).json()["id"]
    for i in range(5):
        run(a, f"export STEP{i}=done", sessionId=session)
    with psycopg.connect(pg_url) as conn:
        before = conn.execute(
            "SELECT count(*) FROM events WHERE team = 'acme' AND type = 'execute'"
        ).fetchone()[0]
    with (
        httpx.Client(
            base_url=a.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
        ) as client,
        contextlib.suppress(httpx.TimeoutException),
    ):
        client.post(
            "/api/run",
            json={
                "sessionId": session,
                "cell": {
                    "kind": "code",
                    "value": "export HALF=1; sleep 30",
                    "languageId": "sh",
                },
            },
            timeout=1,
        )
    os.kill(a.process.pid, signal.SIGKILL)
    a.process.wait()
    with b.client() as client:
        env = client.get(f"/api/sessions/{session}").json()["env"]
    assert env["KEEP"] == "1" and all(env[f"STEP{i}"] == "done" for i in range(5))
    assert "HALF" not in env  # the killed run never finished, so it changed nothing
    assert run(b, "echo $STEP4", sessionId=session)["stdout"] == "done\n"
    with psycopg.connect(pg_url) as conn:
        after = conn.execute(
            "SELECT count(*) FROM events WHERE team = 'acme' AND type = 'execute'"
        ).fetchone()[0]
        lines = conn.execute("SELECT line FROM events WHERE team = 'acme'").fetchall()
    assert after >= before + 1  # b's run; none of a's earlier events went missing
    assert all(json.loads(line)["type"] for (line,) in lines)  # every stored event is whole


def test_readiness_follows_the_database(replicas: list[Server]) -> None:
    assert httpx.get(f"{replicas[1].url}/readyz").json() == {"status": "ok"}
