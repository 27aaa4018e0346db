"""``waypost run --server``: cells run by a kernel over Runme's runner API, as Runme's CLI does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.extension.extension import Kernel, launch

RUNBOOK = """# Remote

```sh {"name":"where"}
export STAGE=staging
echo "started by: $(tr '\\0' ' ' < /proc/$PPID/cmdline)"
```

```sh {"name":"then"}
echo "stage=$STAGE from=$FROM_DOTENV"
```
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "ops.md").write_text(RUNBOOK)
    (root / ".env").write_text("FROM_DOTENV=dotenv\n")
    return root


@pytest.fixture
def kernel(tmp_path: Path):
    running = launch(tmp_path / "tls")
    yield running
    running.stop()


def test_cells_run_on_the_server_in_one_session(waypost, project: Path, kernel: Kernel) -> None:
    assert kernel.tls_dir is not None
    done = waypost(
        "run", "--all", "--server", kernel.address, "--tls", str(kernel.tls_dir), cwd=project
    )
    assert done.returncode == 0, done.stderr
    assert "started by: " in done.stdout
    assert " server --address " in done.stdout  # the kernel process started the cell
    assert "stage=staging from=dotenv" in done.stdout  # one session; the project's .env


def test_a_failing_remote_cell_gives_its_exit_code(waypost, project: Path, kernel: Kernel) -> None:
    (project / "fail.md").write_text('```sh {"name":"boom"}\nexit 7\n```\n')
    done = waypost("run", "boom", "--server", kernel.address, "--tls", str(kernel.tls_dir),
                   cwd=project)  # fmt: skip
    assert done.returncode == 7


def test_an_unreachable_server_falls_back_to_running_here(waypost, project: Path, tmp_path) -> None:
    done = waypost("run", "where", "--server", "127.0.0.1:9", "--tls", str(tmp_path / "none"),
                   cwd=project)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "started by: " in done.stdout and " server --address " not in done.stdout


def test_insecure_given_never_falls_back(waypost, project: Path, tmp_path) -> None:
    done = waypost("run", "where", "--server", "127.0.0.1:9", "--insecure=false",
                   "--tls", str(tmp_path / "none"), cwd=project)  # fmt: skip
    assert done.returncode != 0 and done.stdout == ""
    assert f"failed to create remote runner: open {tmp_path / 'none' / 'cert.pem'}" in done.stderr
