"""Foyle's AIService in the Connect protocol (JSON and binary protobuf) over a real socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from google.protobuf import json_format

from tests.integration.server.conftest import TOKEN, Server, start_server, stop_server
from tests.standins.llm import Reply, StandIn, start
from waypost._proto.foyle.v1alpha1 import agent_pb2 as ai
from waypost._proto.runme.parser.v1 import parser_pb2 as pb


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    server = start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def ai_server(tmp_path_factory: pytest.TempPathFactory, stand_in: StandIn) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("ai-project")
    env = {"WAYPOST_AI_PROVIDER": "openai-compatible", "WAYPOST_AI_BASE_URL": f"{stand_in.url}/v1",
           "WAYPOST_AI_MAX_RETRIES": "0"}  # fmt: skip
    running = start_server(root, env=env)
    yield running
    stop_server(running)


NOTEBOOK = pb.Notebook(
    cells=[
        pb.Cell(kind=pb.CELL_KIND_MARKUP, value="# Ops"),
        pb.Cell(kind=pb.CELL_KIND_MARKUP, value="List the pods in staging"),
    ]
)


def events(server: Server) -> list[dict[str, object]]:
    path = server.state / "events" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_generate_cells_in_json(ai_server: Server, stand_in: StandIn) -> None:
    stand_in.script(Reply(text="```sh\nkubectl get pods -n staging\n```"))
    body = json_format.MessageToJson(ai.GenerateCellsRequest(notebook=NOTEBOOK, selected_index=1))
    response = httpx.post(f"{ai_server.url}/t/{TOKEN}/api/AIService/GenerateCells", content=body,
                          headers={"content-type": "application/json", "connect-protocol-version": "1"})  # fmt: skip
    assert response.status_code == 200, response.text
    data = response.json()
    (cell,) = data["cells"]
    assert cell["value"] == "kubectl get pods -n staging" and cell["kind"] == "CELL_KIND_CODE"
    assert cell["metadata"]["id"] == cell["metadata"]["runme.dev/id"]
    trace = response.headers["foyle-trace-id"]
    generated = [e for e in events(ai_server) if e["type"] == "generate" and e["trace_id"] == trace]
    assert generated and generated[0]["cells"][0]["id"] == cell["metadata"]["id"]


def test_generate_cells_in_binary_protobuf(ai_server: Server, stand_in: StandIn) -> None:
    stand_in.script(Reply(text="```bash\nkubectl get pods\n```"))
    body = ai.GenerateCellsRequest(notebook=NOTEBOOK, selected_index=1).SerializeToString()
    response = httpx.post(f"{ai_server.url}/api/AIService/GenerateCells", content=body,
                          headers={"content-type": "application/proto",
                                   "authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/proto"
    reply = ai.GenerateCellsResponse.FromString(response.content)
    assert [c.value for c in reply.cells] == ["kubectl get pods"]


def test_log_events_reach_the_event_log(ai_server: Server) -> None:
    executed = pb.Cell(kind=pb.CELL_KIND_CODE, value="kubectl get pods", language_id="sh",
                       metadata={"runme.dev/id": "01HF7BT3HD84GWTQB8ZCWPH803"})  # fmt: skip
    request = ai.LogEventsRequest(events=[
        ai.LogEvent(type=ai.EXECUTE, cells=[NOTEBOOK.cells[1], executed],
                    selected_id="01HF7BT3HD84GWTQB8ZCWPH803", context_id="ctx-1",
                    execute_status=ai.LogEvent.SUCCEEDED),
        ai.LogEvent(type=ai.ACCEPTED, selected_id="01HF7BT3HD84GWTQB8ZCWPH803", context_id="ctx-1"),
        ai.LogEvent(type=ai.SESSION_END, context_id="ctx-1"),
    ])  # fmt: skip
    response = httpx.post(f"{ai_server.url}/t/{TOKEN}/api/AIService/LogEvents",
                          content=request.SerializeToString(), headers={"content-type": "application/proto"})  # fmt: skip
    assert response.status_code == 200 and response.content == b""
    logged = events(ai_server)
    execute = next(e for e in logged if e["type"] == "execute")
    assert execute["cell_id"] == "01HF7BT3HD84GWTQB8ZCWPH803" and execute["exit_code"] == 0
    assert execute["command"] == "kubectl get pods"
    assert execute["context"] == [
        {"kind": "markup", "value": "List the pods in staging", "language": "", "id": ""}
    ]
    assert any(e["type"] == "accepted" for e in logged)
    assert any(e["type"] == "session_end" and e["session_id"] == "ctx-1" for e in logged)


def test_status_answers_ok(ai_server: Server) -> None:
    response = httpx.post(f"{ai_server.url}/t/{TOKEN}/api/AIService/Status", json={})
    assert response.json() == {"status": "OK"}


@pytest.mark.parametrize(
    "path", ["/api/AIService/GenerateCells", "/t/wrong/api/AIService/LogEvents"]
)
def test_connect_calls_without_a_token_are_unauthenticated(ai_server: Server, path: str) -> None:
    response = httpx.post(f"{ai_server.url}{path}", json={})
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "unauthenticated"}


def test_provider_errors_map_to_connect_codes(ai_server: Server, stand_in: StandIn) -> None:
    stand_in.script(Reply(status=401))
    body = json_format.MessageToJson(ai.GenerateCellsRequest(notebook=NOTEBOOK, selected_index=1))
    response = httpx.post(f"{ai_server.url}/t/{TOKEN}/api/AIService/GenerateCells", content=body,
                          headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "authentication failed" in response.json()["message"]


def test_malformed_connect_body_is_invalid_argument(ai_server: Server) -> None:
    response = httpx.post(f"{ai_server.url}/t/{TOKEN}/api/AIService/GenerateCells", content=b"\xff\x00junk",
                          headers={"content-type": "application/proto"})  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "invalid_argument"


def test_json_generate_endpoint(ai_server: Server, stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.script(Reply(text="Check first.\n\n```sh\nkubectl get nodes\n```"))
    with ai_server.client() as client:
        response = client.post(
            "/api/generate", json={"cells": [{"kind": "markup", "value": "Show the nodes"}]}
        )
    assert response.status_code == 200, response.text
    data = response.json()
    assert [c["value"] for c in data["cells"]] == ["Check first.", "kubectl get nodes"]
    assert data["cells"][1]["metadata"]["_ghostCell"] == "true"
    assert data["provider"] == "openai-compatible"
