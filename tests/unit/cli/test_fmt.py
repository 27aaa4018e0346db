"""``waypost fmt`` as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from tests.cli import waypost
from tests.conftest import CONFORMANCE, FORMAT_FIXTURES, markdown_files


def test_fmt_prints_every_corpus_file_unchanged(tmp_path: Path) -> None:
    files = markdown_files(CONFORMANCE)
    result = waypost("fmt", *map(str, files), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == b"".join(p.read_bytes() for p in files)


def test_fmt_reads_stdin(tmp_path: Path) -> None:
    data = (FORMAT_FIXTURES / "crlf-line-endings.md").read_bytes()
    assert waypost("fmt", "-", cwd=tmp_path, input=data).stdout == data


def test_identity_cell_check_names_the_files_that_would_change(tmp_path: Path) -> None:
    (tmp_path / "plain.md").write_text("```sh\necho\n```\n")
    (tmp_path / "done.md").write_text('```sh {"id":"01HF7BT3HD84GWTQB8ZCWPH803"}\necho\n```\n')
    result = waypost("fmt", "--identity", "cell", "--check", "plain.md", "done.md", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.decode() == "would reformat plain.md\n"
    assert waypost("fmt", "--check", "plain.md", cwd=tmp_path).returncode == 0


def test_identity_cell_write_only_touches_fence_lines_and_is_idempotent(tmp_path: Path) -> None:
    source = CONFORMANCE / "corpus" / "openshift__runbooks"
    shutil.copytree(source, tmp_path / "book")
    files = markdown_files(tmp_path / "book")
    before = {p: p.read_bytes() for p in files}
    result = waypost("fmt", "--identity", "cell", "--write", *map(str, files), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    opening = re.compile(
        rb'^(\s*(?:[-*+]\s+|\d+[.)]\s+)?)(`{3,}|~{3,})(.*)(\{.*"id":"[0-9A-Z]{26}".*\})(\r?\n)$'
    )
    for path, old in before.items():
        new = path.read_bytes()
        old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
        assert len(old_lines) == len(new_lines)
        for a, b in zip(old_lines, new_lines, strict=True):
            if a != b:
                match = opening.match(b)
                assert match, b
                assert b.startswith(a.rstrip(b"\r\n")) and a[
                    len(a.rstrip(b"\r\n")) :
                ] == match.group(5)
    again = waypost("fmt", "--identity", "cell", "--check", *map(str, files), cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_fmt_json_shows_cells_with_ids_names_and_byte_ranges(tmp_path: Path) -> None:
    data = '# T\n\n```sh {"name":"hi"}\necho hi\n```\n'
    (tmp_path / "a.md").write_text(data)
    result = waypost("fmt", "--json", "a.md", cwd=tmp_path)
    notebook = json.loads(result.stdout)
    markup, cell = notebook["cells"]
    assert markup["kind"] == "markup" and markup["value"] == "# T"
    assert (cell["kind"], cell["languageId"], cell["value"], cell["name"]) == (
        "code",
        "sh",
        "echo hi",
        "hi",
    )
    assert cell["metadata"]["name"] == "hi"
    assert cell["metadata"]["runme.dev/id"] == cell["id"]
    assert (
        data.encode()[cell["span"]["start"] : cell["span"]["end"]]
        == b'```sh {"name":"hi"}\necho hi\n```'
    )
    assert data.encode()[cell["textRange"]["start"] : cell["textRange"]["end"]] == b"echo hi"


def test_fmt_of_binary_file_fails_naming_it(tmp_path: Path) -> None:
    (tmp_path / "bin.md").write_bytes(b"\x7fELF\x00\x00")
    result = waypost("fmt", "bin.md", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == b"Error: bin.md: binary data, not Markdown (NUL byte at offset 4)\n"


def test_fmt_of_a_missing_file_fails_naming_it(tmp_path: Path) -> None:
    result = waypost("fmt", "missing.md", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == b"Error: missing.md: file does not exist\n"


def test_bad_identity_is_a_usage_error(tmp_path: Path) -> None:
    result = waypost("fmt", "--identity", "cells", "-", cwd=tmp_path, input=b"")
    assert result.returncode == 2
    assert b"--identity: unknown identity 'cells'" in result.stderr
