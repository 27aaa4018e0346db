"""Cells run in the document's folder, moved by frontmatter and cell ``cwd`` as in Runme."""

from __future__ import annotations

from pathlib import Path

from waypost.notebook import parse
from waypost.runner import Runner

from .conftest import collect


def _pwd(runner: Runner, path: Path, base: Path | None = None) -> str:
    notebook = parse(path.read_bytes())
    execution = runner.run_cell(notebook, 0, document=path, base=base, interactive=False)
    return collect(execution.events()).text.strip()


def test_cell_runs_in_the_documents_folder(runner: Runner, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "book.md").write_text("```sh\npwd\n```\n")
    assert _pwd(runner, docs / "book.md", base=tmp_path) == str(docs)


def test_frontmatter_cwd_is_relative_to_the_document(runner: Runner, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "book.md").write_text("---\ncwd: ..\n---\n\n```sh\npwd\n```\n")
    assert _pwd(runner, tmp_path / "a" / "b" / "book.md") == str(tmp_path / "a")


def test_absolute_frontmatter_cwd_and_relative_cell_cwd_combine(runner: Runner, tmp_path):
    target = tmp_path / "dummy"
    target.mkdir()
    (tmp_path / "book.md").write_text(
        f'---\ncwd: {target}\n---\n\n```sh {{"cwd":".."}}\npwd\n```\n'
    )
    assert _pwd(runner, tmp_path / "book.md") == str(tmp_path)


def test_cwd_that_does_not_exist_is_skipped(runner: Runner, tmp_path):
    (tmp_path / "book.md").write_text('```sh {"cwd":"missing"}\npwd\n```\n')
    assert _pwd(runner, tmp_path / "book.md") == str(tmp_path)


def test_cd_in_one_cell_does_not_move_the_next(runner: Runner, tmp_path):
    (tmp_path / "book.md").write_text("```sh\ncd /\n```\n\n```sh\npwd\n```\n")
    notebook = parse((tmp_path / "book.md").read_bytes())
    session = runner.create_session()
    for index in (0, 1):
        execution = runner.run_cell(
            notebook, index, document=tmp_path / "book.md", session_id=session.id, interactive=False
        )
        ran = collect(execution.events())
    assert ran.text.strip() == str(tmp_path)


def test_non_shell_cell_runs_in_the_documents_folder_too(runner: Runner, tmp_path):
    (tmp_path / "book.md").write_text("```python\nimport os\nprint(os.getcwd())\n```\n")
    assert _pwd(runner, tmp_path / "book.md") == str(tmp_path)
