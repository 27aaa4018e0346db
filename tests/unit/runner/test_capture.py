from __future__ import annotations

import os

from waypost.runner.capture import END_MARKER, Dialect, dialect_of, parse_dump, wrap


def test_bash_dumps_with_its_builtin_and_other_shells_with_env():
    assert dialect_of("/usr/bin/bash") is Dialect.BASH
    assert dialect_of("dash") is Dialect.ENV0
    assert dialect_of("/bin/zsh") is Dialect.ENV0
    assert dialect_of("python3") is None
    assert dialect_of("fish") is None


def test_export_p_output_is_read_back_exactly():
    dump = (
        b'declare -x PLAIN="value"\n'
        b'declare -x EMPTY=""\n'
        b'declare -x QUOTED="a \\"b\\" \\$c \\`d\\` \\\\e"\n'
        b'declare -x MULTI="line 1\nline 2"\n'
        b"declare -x ANSI=$'tab\\there\\001\\x41\\u00e9\\'q\\\\'\n"
        b'declare -rx READONLY="r"\n'
        b"declare -x UNSET_BUT_EXPORTED\n"
        b"declare -x RAW=$'\\351'\n" + END_MARKER.encode() + b"\n"
    )
    env = parse_dump(dump, Dialect.BASH)
    assert env == {
        "PLAIN": "value",
        "EMPTY": "",
        "QUOTED": 'a "b" $c `d` \\e',
        "MULTI": "line 1\nline 2",
        "ANSI": "tab\there\x01A\u00e9'q\\",
        "READONLY": "r",
        "RAW": os.fsdecode(b"\xe9"),
    }


def test_posix_mode_export_lines_are_read_too():
    dump = b'export A="1"\nexport B="x y"\n' + END_MARKER.encode() + b"\n"
    assert parse_dump(dump, Dialect.BASH) == {"A": "1", "B": "x y"}


def test_env0_output_is_read_back_exactly():
    dump = b"A=1\0B=line\nbreak\0C=a=b\0" + END_MARKER.encode() + b"\0"
    assert parse_dump(dump, Dialect.ENV0) == {"A": "1", "B": "line\nbreak", "C": "a=b"}


def test_dump_cut_short_is_rejected():
    assert parse_dump(b'declare -x A="1"\n', Dialect.BASH) is None
    assert parse_dump(b"", Dialect.BASH) is None
    assert parse_dump(b"A=1\0B=2", Dialect.ENV0) is None
    assert parse_dump(b"", Dialect.ENV0) is None


def test_wrapper_fails_fast_and_dumps_before_and_after(tmp_path):
    script = wrap(
        "echo hi",
        program="/bin/bash",
        dialect=Dialect.BASH,
        before=tmp_path / "b",
        after=tmp_path / "a",
    )
    lines = script.splitlines()
    assert lines[0] == "set -e -o pipefail"
    assert lines[-1] == "echo hi"
    assert "trap -- __waypost_exit EXIT" in script
    assert str(tmp_path / "b") in script and str(tmp_path / "a") in script


def test_plain_sh_gets_set_e_without_pipefail(tmp_path):
    script = wrap(
        "true", program="sh", dialect=Dialect.ENV0, before=tmp_path / "b", after=tmp_path / "a"
    )
    assert script.startswith("set -e\n")
