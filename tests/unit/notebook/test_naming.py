from __future__ import annotations

import pytest

from waypost.notebook.naming import NameCounter, describe, first_command, generate_name


@pytest.mark.parametrize(
    ("lines", "name"),
    [
        ([' echo "Hello, runme!"'], "echo-hello"),
        (["# This is a pesky comment", "echo Inferred"], "echo-inferred"),
        ([' echo "1"', ' echo "2"'], "echo-1"),
        (['temp_dir=$(mktemp -d -t "runme-XXXXXXX")'], "tempdir"),
        (["package main", "", "import ("], "package-main"),
        (["a + b"], "a-"),
        (["https://vercel.com/stateful/stateful-com"], "httpsvercelcomstatefulstat"),
        ([], ""),
    ],
)
def test_generated_names_match_runme(lines: list[str], name: str) -> None:
    assert generate_name(lines) == name


def test_first_command_skips_comments_and_blank_lines() -> None:
    assert first_command(["", "# c", "  ls -la  # list"]) == "ls -la"
    assert first_command(["# only a comment"]) == "# only a comment"


def test_repeated_names_get_numbered() -> None:
    counter = NameCounter()
    assert [counter.claim(n) for n in ["echo", "echo", "ls", "echo"]] == [
        "echo",
        "echo-2",
        "ls",
        "echo-3",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Do this:", "Do this."), ("Done!", "Done!"), ("Run ABC", "Run AB."), ("ok 1", "ok 1")],
)
def test_descriptions_end_the_way_runme_ends_them(text: str, expected: str) -> None:
    assert describe(text) == expected
