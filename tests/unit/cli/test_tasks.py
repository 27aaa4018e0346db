"""``waypost list`` and ``waypost print`` against Runme's own golden outputs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import waypost


def test_list_json_prints_exactly_runmes_golden(basic_project: Path) -> None:
    result = waypost("ls", "--json", cwd=basic_project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == (basic_project / "golden-list-json.txt").read_text()
    assert result.stderr == b""


def test_list_table_matches_runmes_golden(basic_project: Path) -> None:
    result = waypost("ls", cwd=basic_project)
    assert result.stdout.decode() == (basic_project / "golden-list.txt").read_text()


def test_list_allow_unnamed_gives_runmes_names_in_order(basic_project: Path) -> None:
    result = waypost("ls", "--allow-unnamed=true", cwd=basic_project)
    golden = (basic_project / "golden-list-allow-unnamed.txt").read_text()
    names = [line.split("\t")[0] for line in result.stdout.decode().splitlines()]
    assert names == [line.split("\t")[0] for line in golden.splitlines()]
    assert result.stdout.decode() == golden


def test_list_filters_by_regular_expression(basic_project: Path) -> None:
    result = waypost("list", "--json", "hello-", cwd=basic_project)
    assert [r["name"] for r in json.loads(result.stdout)] == [
        "hello-js",
        "hello-cat",
        "hello-python",
    ]


def test_list_of_a_missing_file_fails_clearly(basic_project: Path) -> None:
    result = waypost("ls", "--filename", "nonexistent.md", cwd=basic_project)
    assert result.returncode == 1
    assert result.stdout == b""
    assert b'failed to open file-based project "' in result.stderr
    assert b'/nonexistent.md": file does not exist' in result.stderr


def test_list_without_named_cells_suggests_allow_unnamed(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("```sh\necho\n```\n")
    result = waypost("ls", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == b"Error: no named code blocks, consider adding flag --allow-unnamed\n"


def test_file_mode_lists_unnamed_cells(basic_project: Path) -> None:
    result = waypost("ls", "--filename", "shellscript.md", "--json", cwd=basic_project)
    assert [r["name"] for r in json.loads(result.stdout)] == ["run-shellscript"]


def test_print_shows_the_fenced_block(basic_project: Path) -> None:
    result = waypost("print", "hello-cat", cwd=basic_project)
    assert (
        result.stdout.decode()
        == '```js {"interpreter":"cat","name":"hello-cat"}\nHello runme\n```\n'
    )


def test_print_accepts_a_file_specifier(basic_project: Path) -> None:
    result = waypost("print", "shell.*/run-shellscript", cwd=basic_project)
    assert result.returncode == 0 and b"Runs as shell script" in result.stdout


def test_print_of_an_unknown_name_lists_candidates(basic_project: Path) -> None:
    result = waypost("print", "nope", cwd=basic_project)
    assert result.returncode == 1
    assert result.stderr.startswith(b'Error: unable to find any script named "nope"; known names: ')
    assert b"hello-js" in result.stderr


def test_print_of_an_ambiguous_name_lists_the_matches(tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text('```sh {"name":"dup"}\necho\n```\n')
    result = waypost("print", "dup", cwd=tmp_path)
    assert result.returncode == 1
    assert b"multiple matches" in result.stderr and b"a.md/dup, b.md/dup" in result.stderr
