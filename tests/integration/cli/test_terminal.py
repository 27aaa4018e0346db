"""``waypost run`` at a terminal (a real PTY): typed input reaches cells, env prompts ask."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest


class Terminal:
    """``waypost`` started on a pseudo-terminal, as a person would run it."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from waypost.cli.main import run; run()", *args],
            cwd=cwd,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, "SHELL": "/bin/bash"},
            start_new_session=True,
        )
        os.close(slave)
        self.seen = b""

    def expect(self, text: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.master], [], [], left)[0]:
                raise AssertionError(f"{text!r} not in {self.seen!r}")
            try:
                self.seen += os.read(self.master, 4096)
            except OSError:
                raise AssertionError(f"{text!r} not in {self.seen!r} (terminal closed)") from None

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> int:
        code = self.proc.wait(timeout=30)
        os.close(self.master)
        return code


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "README.md").write_text(
        '```sh {"name":"ask"}\necho -n "Enter your name: "\nread name\necho "Hi, $name!"\n```\n\n'
        '```sh {"name":"deploy"}\nexport PROJECT="my-project"\necho "project=$PROJECT"\n```\n'
    )
    return tmp_path


def test_typed_input_reaches_an_interactive_cell(book):
    term = Terminal(["run", "ask"], book)
    term.expect(b"Enter your name: ")
    term.type(b"Alice\r")
    term.expect(b"Hi, Alice!")
    assert term.close() == 0


def test_env_prompt_asks_for_a_placeholder_and_the_answer_wins(book):
    term = Terminal(["run", "deploy"], book)
    term.expect(b"PROJECT")
    term.type(b"other\r")
    term.expect(b"project=other")
    assert term.close() == 0


def test_skip_prompts_runs_the_document_as_written(book):
    term = Terminal(["run", "-y", "deploy"], book)
    term.expect(b"project=my-project")
    assert term.close() == 0
