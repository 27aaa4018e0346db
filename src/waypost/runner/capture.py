"""Env capture: how a shell cell's exported variables get back into its session.

The cell's commands are wrapped so the shell writes its exported variables to a private file
before the user's commands and again on exit (an ``EXIT`` trap, so also when a command fails).
The runner diffs the two dumps and applies the changes to the session, as Runme does. Bash dumps
with its ``export -p`` builtin (no extra process, so a cell costs about what a bare ``bash -c``
does); other POSIX shells run ``env -0``. Each dump ends with a marker line: a dump without it was
cut short (the shell was killed mid-write, or never reached its trap) and is ignored, so a killed
cell can never wipe its session.
"""

from __future__ import annotations

import enum
import os
import re
import shutil
from pathlib import Path

__all__ = [
    "END_MARKER",
    "LIST_FAILED",
    "Dialect",
    "dialect_of",
    "dump_failed",
    "parse_dump",
    "read_dump",
    "terminal_rc",
    "wrap",
]

END_MARKER = "#waypost:end"
LIST_FAILED = "#waypost:env-failed"
"""Written instead of the variables when ``env`` cannot run: the kernel refuses to start a
program whose environment holds a string over 128 KiB, which is what a huge export makes."""

_POSIX_SHELLS = frozenset({"sh", "bash", "zsh", "ksh", "dash", "ash", "mksh", "yash", "posh"})
_PIPEFAIL_SHELLS = frozenset({"bash", "zsh", "ksh", "mksh"})


class Dialect(enum.Enum):
    """How a shell dumps its environment."""

    BASH = "bash"
    """``export -p`` as bash prints it: ``declare -x NAME="value"`` or ``NAME=$'...'``."""
    ENV0 = "env0"
    """``env -0``: ``NAME=value`` entries separated by NUL bytes."""


def dialect_of(program: str) -> Dialect | None:
    """The dump dialect for a shell program, ``None`` for programs whose env is not captured."""
    name = Path(program).name
    if name == "bash":
        return Dialect.BASH
    if name in _POSIX_SHELLS:
        return Dialect.ENV0
    return None


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\"'\"'") + "'"


def _dump_command(dialect: Dialect, target: Path) -> str:
    if dialect is Dialect.BASH:
        # ``__`` (the last output, up to 128 KiB) is the runner's to set: leave it out of the dump
        # rather than quote and parse it twice per cell, and export it again for the commands
        return (
            f"builtin export -n __; {{ builtin export -p; builtin echo '{END_MARKER}'; }} "
            f"> {_quote(target)}; builtin export __"
        )
    env = shutil.which("env") or "/usr/bin/env"  # absolute: the cell may change or clear PATH
    return (
        f"{{ {env} -0 2>/dev/null || printf '{LIST_FAILED}\\000'; printf '{END_MARKER}\\000'; }}"
        f" > {_quote(target)}"
    )


def wrap(script: str, *, program: str, dialect: Dialect, before: Path, after: Path) -> str:
    """The shell script that runs ``script`` between two environment dumps.

    Runme's prologue: ``set -e`` (with ``-o pipefail`` where the shell has it) so a failing
    command fails the cell. Lines start with a space to stay out of shell history. Unlike
    Runme's, the trap does not ``exit $rv``: a shell killed by SIGINT then ran its trap with the
    status of the previous command (often 0) and reported success; without ``exit`` the shell
    keeps its own status and signal (130).
    """
    name = Path(program).name
    strict = "set -e -o pipefail" if name in _PIPEFAIL_SHELLS else "set -e"
    return (
        f"{strict}\n"
        f" {_dump_command(dialect, before)}\n"
        f" __waypost_exit() {{ {_dump_command(dialect, after)}; }}\n"
        f" trap -- __waypost_exit EXIT\n"
        f"{script}\n"
    )


def terminal_rc(dialect: Dialect, *, before: Path, after: Path) -> str:
    """The start-up file of a terminal's interactive shell: the user's own rc file first (so
    what it exports is not a change), then the first dump, ``save`` to leave, and the last dump
    on exit. No ``set -e``: a failing command must not close the terminal."""
    own = '[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"\n' if dialect is Dialect.BASH else ""
    return (
        f"{own}"
        "alias save=exit\n"
        f"{_dump_command(dialect, before)}\n"
        f"__waypost_exit() {{ {_dump_command(dialect, after)}; }}\n"
        "trap -- __waypost_exit EXIT\n"
    )


def read_dump(path: Path, dialect: Dialect) -> dict[str, str] | None:
    """The variables in a dump file; ``None`` when it is missing or incomplete."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return parse_dump(data, dialect)


def dump_failed(path: Path) -> bool:
    """Whether the shell reached its dump but could not list its variables."""
    try:
        return (LIST_FAILED + "\0").encode() in path.read_bytes()
    except OSError:
        return False


def parse_dump(data: bytes, dialect: Dialect) -> dict[str, str] | None:
    if dialect is Dialect.ENV0:
        return _parse_env0(data)
    return _parse_export(data)


def _parse_env0(data: bytes) -> dict[str, str] | None:
    entries = data.split(b"\0")
    if len(entries) < 2 or entries[-2] != END_MARKER.encode() or entries[-1]:
        return None
    if LIST_FAILED.encode() in entries[:-2]:
        return None
    env = {}
    for entry in entries[:-2]:
        name, eq, value = entry.partition(b"=")
        if eq and name:
            env[os.fsdecode(name)] = os.fsdecode(value)
    return env


def _parse_export(data: bytes) -> dict[str, str] | None:
    marker = b"\n" + END_MARKER.encode() + b"\n"
    if not (b"\n" + data).endswith(marker):
        return None
    body = data[: len(data) - len(marker) + 1]
    env: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        pos = _parse_export_line(body, pos, env)
    return env


def _parse_export_line(data: bytes, pos: int, env: dict[str, str]) -> int:
    """Parse ``declare -x NAME="v"`` (or ``export NAME=...`` in POSIX mode) at ``pos``."""
    line_end = data.find(b"\n", pos)
    line_end = len(data) if line_end < 0 else line_end
    if data.startswith(b"declare ", pos):
        start = data.index(b" ", pos + 8) + 1  # skip the flags (-x, -rx, -ix...)
    elif data.startswith(b"export ", pos):
        start = pos + 7
    else:
        return line_end + 1  # not ours to read (should not happen); skip the line
    eq = data.find(b"=", start, line_end)
    if eq < 0:
        return line_end + 1  # exported but never set: not in the environment
    name = os.fsdecode(data[start:eq])
    if data.startswith(b"$'", eq + 1):
        value, end = _ansi_c(data, eq + 3)
    elif data.startswith(b'"', eq + 1):
        value, end = _double_quoted(data, eq + 2)
    else:
        value, end = data[eq + 1 : line_end], line_end
    env[name] = os.fsdecode(value)
    newline = data.find(b"\n", end)
    return len(data) if newline < 0 else newline + 1


_DOUBLE_TOKENS = re.compile(rb'[^"\\]+|\\(.)|"', re.S)
_ANSI_TOKENS = re.compile(rb"[^\\']+|\\(.)|'", re.S)


def _double_quoted(data: bytes, pos: int) -> tuple[bytes, int]:
    """Decode bash's ``"..."``, starting after the opening quote (runs of plain bytes at once)."""
    out = bytearray()
    for match in _DOUBLE_TOKENS.finditer(data, pos):
        token = match.group()
        if token == b'"':
            return bytes(out), match.end()
        escaped = match.group(1)
        if escaped is None:
            out += token
        elif escaped in b'"\\$`':
            out += escaped
        elif escaped != b"\n":  # backslash-newline is a line continuation
            out += token
    return bytes(out), len(data)


_SIMPLE_ESCAPES = {
    b"a": b"\a",
    b"b": b"\b",
    b"e": b"\x1b",
    b"E": b"\x1b",
    b"f": b"\f",
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"v": b"\v",
    b"\\": b"\\",
    b"'": b"'",
    b'"': b'"',
    b"?": b"?",
}
_NUMERIC_ESCAPE = re.compile(
    rb"[0-7]{1,3}|x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|c."
)


def _ansi_c(data: bytes, pos: int) -> tuple[bytes, int]:
    """Decode bash's ``$'...'`` quoting, starting after the opening quote."""
    out = bytearray()
    end = len(data)
    while pos < end:
        match = _ANSI_TOKENS.match(data, pos)
        if match is None:  # a lone backslash at the very end
            out += data[pos:]
            break
        token = match.group()
        if token == b"'":
            return bytes(out), match.end()
        if match.group(1) is None:
            out += token
            pos = match.end()
        else:
            pos = _ansi_c_escape(data, pos + 1, out)
    return bytes(out), end


def _ansi_c_escape(data: bytes, pos: int, out: bytearray) -> int:
    """Decode one escape whose letter is at ``pos``; returns where the escape ends."""
    letter = data[pos : pos + 1]
    if letter in _SIMPLE_ESCAPES:
        out += _SIMPLE_ESCAPES[letter]
        return pos + 1
    match = _NUMERIC_ESCAPE.match(data, pos)
    if match is None:
        out += b"\\" + letter
        return pos + 1
    token = match.group()
    kind = token[:1]
    if kind == b"c":
        out.append(token[1] & 0x1F)
    elif kind == b"x":
        out.append(int(token[1:], 16))
    elif kind in (b"u", b"U"):
        out += chr(int(token[1:], 16)).encode("utf-8", "surrogatepass")
    else:
        out.append(int(token, 8) & 0xFF)
    return match.end()
