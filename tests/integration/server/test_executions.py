"""Running cells over HTTP and the WebSocket, as the browser does."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.integration.server.conftest import TOKEN, Server


@contextmanager
def socket(server: Server, origin: str | None = None) -> Iterator[ClientConnection]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with connect(f"ws://127.0.0.1:{server.http}/api/ws/execute", additional_headers=headers,
                 origin=origin, open_timeout=10) as ws:  # type: ignore[arg-type]  # fmt: skip
        yield ws


def messages(ws: ClientConnection, until: str = "exited", timeout: float = 30) -> list[dict]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=timeout))
        seen.append(message)
        if message["type"] in (until, "error"):
            break
    return seen


def text(seen: list[dict], stream: str = "stdout") -> str:
    return "".join(m["data"] for m in seen if m["type"] == stream)


def test_run_returns_output_and_exit_code(server: Server) -> None:
    with server.client() as client:
        response = client.post("/api/run", json={"path": "docs/ops.md", "index": 2})
    data = response.json()
    assert response.status_code == 200, data
    assert data["exitCode"] == 0 and "ops.md" in data["stdout"]  # ls -la in docs/


def test_cells_run_in_one_session_share_exports(server: Server) -> None:
    with server.client() as client:
        session = client.post("/api/sessions", json={"env": {"SEED": "s"}}).json()
        first = client.post(
            "/api/run",
            json={
                "sessionId": session["id"],
                "cell": {
                    "kind": "code",
                    "value": "export API_TOKEN=secret-value\nexport PLAIN=p",
                    "languageId": "sh",
                },
            },
        )
        second = client.post("/api/run", json={"sessionId": session["id"], "cell": {
            "kind": "code", "value": "echo $PLAIN $SEED", "languageId": "sh"}})  # fmt: skip
        shown = client.get(f"/api/sessions/{session['id']}").json()
    assert first.json()["exitCode"] == 0
    assert second.json()["stdout"] == "p s\n"
    assert shown["env"]["PLAIN"] == "p" and shown["env"]["API_TOKEN"] == "****"


def test_websocket_streams_output_as_it_is_produced(server: Server) -> None:
    with socket(server) as ws:
        ws.send(json.dumps({"type": "execute", "interactive": False, "cell": {
            "kind": "code", "value": "for i in 1 2 3; do echo line $i; sleep 0.2; done", "languageId": "sh"}}))  # fmt: skip
        first = json.loads(ws.recv(timeout=10))
        assert first["type"] == "started" and first["pid"] > 0
        early = json.loads(ws.recv(timeout=10))
        assert early["type"] == "stdout" and early["data"].startswith("line 1")  # before the end
        rest = messages(ws)
    assert rest[-1]["type"] == "exited" and rest[-1]["exitCode"] == 0
    assert "line 3" in text(rest)


def test_websocket_input_reaches_an_interactive_read_cell(server: Server) -> None:
    with socket(server) as ws:
        ws.send(json.dumps({"type": "execute", "interactive": True, "rows": 24, "cols": 80, "cell": {
            "kind": "code", "value": 'read -p "name? " name\necho "hi $name"', "languageId": "sh"}}))  # fmt: skip
        seen = []
        while "name?" not in text(seen):
            seen.append(json.loads(ws.recv(timeout=10)))
        ws.send(json.dumps({"type": "resize", "rows": 30, "cols": 100}))
        ws.send(json.dumps({"type": "input", "data": "Grace\r"}))
        seen += messages(ws)
    assert seen[-1]["type"] == "exited" and seen[-1]["exitCode"] == 0
    assert "hi Grace" in text(seen)


def test_websocket_stop_interrupts_a_long_cell(server: Server) -> None:
    with socket(server) as ws:
        ws.send(json.dumps({"type": "execute", "interactive": False, "cell": {
            "kind": "code", "value": "echo go\nsleep 60", "languageId": "sh"}}))  # fmt: skip
        seen = []
        while "go" not in text(seen):
            seen.append(json.loads(ws.recv(timeout=10)))
        ws.send(json.dumps({"type": "stop", "kind": "interrupt"}))
        seen += messages(ws)
    assert seen[-1]["type"] == "exited" and seen[-1]["exitCode"] == 130


def test_background_cell_is_listed_and_stopped_later(server: Server) -> None:
    with socket(server) as ws:
        ws.send(json.dumps({"type": "execute", "interactive": False, "background": True, "cell": {
            "kind": "code", "value": "echo bg; sleep 60", "languageId": "sh"}}))  # fmt: skip
        started = json.loads(ws.recv(timeout=10))
    with server.client() as client:
        running = client.get("/api/executions").json()["executions"]
        assert started["executionId"] in [e["id"] for e in running]
        client.post(f"/api/executions/{started['executionId']}/stop", json={"kind": "kill"})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ids = [e["id"] for e in client.get("/api/executions").json()["executions"]]
            if started["executionId"] not in ids:
                break
            time.sleep(0.1)
    assert started["executionId"] not in ids


def test_unknown_interpreter_is_reported_on_the_socket(server: Server) -> None:
    with socket(server) as ws:
        ws.send(json.dumps({"type": "execute", "cell": {"kind": "code", "value": "x",
                "languageId": "sh", "metadata": {"interpreter": "no-such-thing-xyz"}}}))  # fmt: skip
        seen = messages(ws)
    assert seen[-1]["type"] in ("error", "exited")
    assert "no-such-thing-xyz" in json.dumps(seen)


def test_websocket_from_a_foreign_origin_is_refused(server: Server) -> None:
    with pytest.raises(InvalidStatus) as caught, socket(server, origin="http://evil.example"):
        pass
    assert caught.value.response.status_code == 403


def test_websocket_without_token_is_refused(server: Server) -> None:
    url = f"ws://127.0.0.1:{server.http}/api/ws/execute"
    with pytest.raises(InvalidStatus) as caught, connect(url, open_timeout=5):
        pass
    assert caught.value.response.status_code == 403


def test_running_a_cell_logs_an_execute_event(server: Server) -> None:
    with server.client() as client:
        client.post("/api/run", json={"path": "docs/ops.md", "index": 2})
    log = server.state / "events" / "events.jsonl"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and '"execute"' not in log.read_text():
        time.sleep(0.1)
    events = [json.loads(line) for line in log.read_text().splitlines()]
    execute = [e for e in events if e["type"] == "execute" and e["name"] == "ls"]
    assert execute and execute[-1]["command"] == "ls -la" and execute[-1]["exit_code"] == 0
    assert execute[-1]["context"][-1]["value"] == "List files:"


def test_stdin_data_reaches_a_cell_without_a_terminal(server: Server) -> None:
    with socket(server) as ws:
        ws.send(json.dumps({"type": "execute", "interactive": False, "stdin": "one\ntwo\n", "cell": {
            "kind": "code", "value": "wc -l", "languageId": "sh"}}))  # fmt: skip
        seen = messages(ws)
    assert seen[-1]["exitCode"] == 0 and text(seen).strip() == "2"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x80"
PRINT_PNG = "printf '" + "".join(f"\\{b:03o}" for b in PNG) + "'"


def test_binary_output_comes_back_byte_for_byte_as_base64(server: Server) -> None:
    cell = {"kind": "code", "value": PRINT_PNG, "languageId": "sh"}
    with server.client() as client:
        data = client.post("/api/run", json={"cell": cell}).json()
    assert data["mimeType"] == "image/png"
    assert data["stdoutEncoding"] == "base64"
    assert base64.b64decode(data["stdout"]) == PNG
    with socket(server) as ws:
        # not in a terminal: its line discipline would turn every \n into \r\n
        ws.send(json.dumps({"type": "execute", "interactive": False, "cell": cell}))
        seen = messages(ws)
    chunks = [m for m in seen if m["type"] == "stdout"]
    assert chunks and all(m["encoding"] == "base64" for m in chunks)
    assert b"".join(base64.b64decode(m["data"]) for m in chunks) == PNG


def test_text_output_stays_text(server: Server) -> None:
    cell = {"kind": "code", "value": "echo 'héllo'", "languageId": "sh"}
    with server.client() as client:
        data = client.post("/api/run", json={"cell": cell}).json()
    assert data["stdout"] == "héllo\n" and "stdoutEncoding" not in data
