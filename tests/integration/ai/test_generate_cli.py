"""``waypost generate`` end to end: real CLI, real SDK, stand-in LLM server, event log on disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import waypost
from tests.standins.llm import Reply, StandIn, start


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = start()
    yield server
    server.close()


@pytest.fixture
def env(tmp_path: Path, stand_in: StandIn) -> dict[str, str]:
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "WAYPOST_STATE_DIR": str(tmp_path / "state"),
        "WAYPOST_AI_PROVIDER": "openai-compatible",
        "WAYPOST_AI_BASE_URL": f"{stand_in.url}/v1",
        "WAYPOST_AI_MAX_RETRIES": "0",
    }


def read_events(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "state" / "events" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_generate_prints_the_suggestion_and_logs_it(
    tmp_path: Path, stand_in: StandIn, env: dict[str, str]
) -> None:
    (tmp_path / "rb.md").write_text("# Ops\n\nList the pods:\n")
    stand_in.script(Reply(text="```sh\nkubectl get pods\n```"))
    result = waypost("generate", "rb.md", "--json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (cell,) = data["cells"]
    assert cell["value"] == "kubectl get pods" and cell["languageId"] == "sh"
    (event,) = read_events(tmp_path)
    assert event["type"] == "generate" and event["trace_id"] == data["traceId"]
    assert event["cells"][0]["id"] == cell["id"]
    assert "List the pods:" in [c["value"] for c in event["context"]]


def test_generate_write_inserts_after_the_cell_and_accepts(
    tmp_path: Path, stand_in: StandIn, env: dict[str, str]
) -> None:
    original = "# Ops\n\nList the pods:\n\nThen stop.\n"
    (tmp_path / "rb.md").write_text(original)
    stand_in.script(Reply(text="```sh\nkubectl get pods\n```"))
    result = waypost("generate", "rb.md", "--cell", "1", "--write", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "rb.md").read_text()
    generated, accepted = read_events(tmp_path)
    cell_id = generated["cells"][0]["id"]
    assert (
        text
        == f'# Ops\n\nList the pods:\n\n```sh {{"id":"{cell_id}"}}\nkubectl get pods\n```\n\nThen stop.\n'
    )
    assert accepted["type"] == "accepted" and accepted["cell_id"] == cell_id


def test_generate_reports_provider_errors_clearly(
    tmp_path: Path, stand_in: StandIn, env: dict[str, str]
) -> None:
    (tmp_path / "rb.md").write_text("Do it\n")
    stand_in.script(Reply(status=401))
    result = waypost("generate", "rb.md", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert (
        result.stderr.decode()
        == "Error: openai-compatible: authentication failed (401): the API key was refused\n"
    )


def test_generate_offline_without_history_proposes_nothing(tmp_path: Path) -> None:
    (tmp_path / "rb.md").write_text("Restart the service\n")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "c"), "WAYPOST_STATE_DIR": str(tmp_path / "s")}
    result = waypost("generate", "rb.md", "--json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cells"] == []


def test_generate_of_an_empty_runbook_says_so(tmp_path: Path) -> None:
    (tmp_path / "rb.md").write_text("")
    result = waypost(
        "generate", "rb.md", cwd=tmp_path, env={"WAYPOST_STATE_DIR": str(tmp_path / "s")}
    )
    assert result.returncode == 2
    assert b"the runbook is empty" in result.stderr


def test_a_written_suggestion_that_is_run_joins_its_generation_by_cell_id(
    tmp_path: Path, stand_in: StandIn, env: dict[str, str]
) -> None:
    (tmp_path / "rb.md").write_text("# Ops\n\nSay hello:\n")
    stand_in.script(Reply(text='```sh {"name":"hello"}\necho hello\n```'))
    assert waypost("generate", "rb.md", "--write", cwd=tmp_path, env=env).returncode == 0
    ran = waypost("run", "hello", "--filename", "rb.md", cwd=tmp_path, env=env)
    assert ran.returncode == 0 and ran.stdout.strip() == b"hello"
    logged = read_events(tmp_path)
    generated = next(e for e in logged if e["type"] == "generate")
    accepted = next(e for e in logged if e["type"] == "accepted")
    executed = next(e for e in logged if e["type"] == "execute")
    cell_id = generated["cells"][0]["id"]
    assert accepted["cell_id"] == cell_id and executed["cell_id"] == cell_id
    assert executed["command"] == "echo hello" and executed["exit_code"] == 0
