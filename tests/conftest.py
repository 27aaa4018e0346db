"""Shared test data locations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CONFORMANCE = SHARED / "conformance"
RUNME_FIXTURES = CONFORMANCE / "runme"
FORMAT_FIXTURES = Path(__file__).parent / "fixtures" / "format"


def markdown_files(root: Path) -> list[Path]:
    suffixes = {".md", ".mdx", ".dag"}
    return sorted(p for p in root.rglob("*") if p.suffix in suffixes and p.is_file())


def txtar(path: Path) -> dict[str, str]:
    """The files of a txtar archive (``-- name --`` sections); the comment part is ``""``."""
    files: dict[str, str] = {}
    name = ""
    chunks: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if stripped.startswith("-- ") and stripped.endswith(" --"):
            files[name] = "".join(chunks)
            name, chunks = stripped[3:-3], []
        else:
            chunks.append(line)
    files[name] = "".join(chunks)
    return files


@pytest.fixture(autouse=True)
def private_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test (and every process it starts) gets its own config and state directories, so
    nothing reads or writes the real ``~/.config/waypost`` or event log."""
    base = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("WAYPOST_STATE_DIR", str(base / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    for name in [n for n in os.environ if n.startswith("WAYPOST_") and n != "WAYPOST_STATE_DIR"]:
        monkeypatch.delenv(name)
    # the optional embedding model (CI installs it) stays off unless a test turns it on:
    # what a test sees must not depend on which extras are installed
    monkeypatch.setenv("WAYPOST_EMBEDDINGS", "0")
    return base / "state"


@pytest.fixture
def basic_project(tmp_path: Path) -> Path:
    """The project of Runme's ``basic.txtar``, written to a temporary directory."""
    for name, text in txtar(RUNME_FIXTURES / "basic.txtar").items():
        if name:
            (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A private PostgreSQL cluster for the whole run (or ``WAYPOST_TEST_POSTGRES``)."""
    from tests.postgres import postgres_url

    with postgres_url() as url:
        if url is None:
            pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
        yield url
