from __future__ import annotations

import os
import shutil

import pytest

from waypost.errors import InterpreterNotFoundError
from waypost.runner.capture import Dialect
from waypost.runner.program import (
    CommandMode,
    file_extension_for,
    interpreters_for,
    resolve_program,
)

ENV = {"PATH": os.environ["PATH"], "SHELL": "/bin/bash"}


def test_languages_map_to_runmes_interpreters():
    assert interpreters_for("js") == ("node",)
    assert interpreters_for("TypeScript") == ("ts-node", "deno run", "bun run")
    assert interpreters_for("shellscript") == ("bash", "sh")
    assert interpreters_for("py") == ("python3", "python")
    assert interpreters_for("rb") == ("ruby",)
    assert interpreters_for("ini") == ()


def test_extensions_follow_the_language():
    assert file_extension_for("python") == "py"
    assert file_extension_for("tsx") == "tsx"
    assert file_extension_for("shellscript") == "sh"


def test_shell_cell_runs_inline_with_env_capture():
    program = resolve_program(language="sh", script="echo hi", env=ENV)
    assert program.argv == (shutil.which("bash"),)
    assert program.mode is CommandMode.INLINE
    assert program.dialect is Dialect.BASH


def test_cell_without_language_uses_the_users_shell():
    program = resolve_program(language="", script="echo", env={**ENV, "SHELL": "/bin/sh"})
    assert os.path.basename(program.argv[0]) == "sh"


def test_python_cell_runs_from_a_file():
    program = resolve_program(language="python", script="print(1)", env=ENV)
    assert os.path.basename(program.argv[0]).startswith("python")
    assert program.mode is CommandMode.FILE
    assert program.file_extension == "py"
    assert program.dialect is None


def test_unknown_language_falls_back_to_cat():
    program = resolve_program(language="ini", script="[a]", env=ENV)
    assert os.path.basename(program.argv[0]) == "cat"
    assert program.mode is CommandMode.FILE


def test_interpreter_wins_and_may_carry_arguments():
    program = resolve_program(language="sh", script="x", program="python3 -u", shell="zsh", env=ENV)
    assert os.path.basename(program.argv[0]) == "python3"
    assert program.argv[1:] == ("-u",)
    assert program.mode is CommandMode.FILE


def test_frontmatter_shell_applies_to_shell_languages_only():
    assert (
        os.path.basename(resolve_program(language="sh", script="", shell="sh", env=ENV).argv[0])
        == "sh"
    )
    python = resolve_program(language="python", script="", shell="sh", env=ENV)
    assert os.path.basename(python.argv[0]).startswith("python")


def test_missing_programs_are_named_in_the_error():
    with pytest.raises(InterpreterNotFoundError, match="ts-node, deno, bun") as caught:
        resolve_program(language="ts", script="", env={"PATH": "/nonexistent"})
    assert caught.value.exit_code == 127
    with pytest.raises(InterpreterNotFoundError, match="nope"):
        resolve_program(language="sh", script="", program="nope", env=ENV)


def test_session_path_is_searched_first(tmp_path):
    fake = tmp_path / "node"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    program = resolve_program(language="js", script="", env={"PATH": f"{tmp_path}:{ENV['PATH']}"})
    assert program.argv[0] == str(fake)
