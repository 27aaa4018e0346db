"""Shared test data locations."""

from __future__ import annotations

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


@pytest.fixture
def basic_project(tmp_path: Path) -> Path:
    """The project of Runme's ``basic.txtar``, written to a temporary directory."""
    for name, text in txtar(RUNME_FIXTURES / "basic.txtar").items():
        if name:
            (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path
