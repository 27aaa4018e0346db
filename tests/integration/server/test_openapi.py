"""Schemathesis fuzzes the JSON API from its OpenAPI description: no input may cause a 5xx."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.server.conftest import TOKEN, Server, start_server, stop_server


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("fuzzed")
    (root / "a.md").write_text("# A\n\n```sh\necho a\n```\n")
    running = start_server(root)
    yield running
    stop_server(running)


def test_schemathesis_finds_no_server_error(fuzzed: Server, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "st"), "run", f"{fuzzed.url}/api/openapi.json",
         "-H", f"Authorization: Bearer {TOKEN}", "--checks", "not_a_server_error",
         "--max-examples", "60", "--seed", "7",
         # fuzzing must not run random commands on this machine
         "--exclude-path", "/api/run"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:]
    assert "passed" in result.stdout
