"""Names and descriptions of code cells, generated exactly as Runme generates them.

A cell without a ``name`` attribute is named after its first command: ``$ echo "Hello"`` becomes
``echo-hello``; ``temp_dir=$(mktemp)`` becomes ``tempdir``. Repeated names within a document get
``-2``, ``-3`` suffixes (explicit names count too).
"""

from __future__ import annotations

import re

__all__ = ["NameCounter", "describe", "first_command", "generate_name"]


def _strip_comment_lines(lines: list[str]) -> list[str]:
    result = []
    for line in lines:
        code = line.strip().split("#", 1)[0]
        if code:
            result.append(code.rstrip())
    return result


def first_command(lines: list[str]) -> str:
    """The first line that is not blank or a comment (or else the first line), as Runme lists it."""
    stripped = _strip_comment_lines(lines)
    if stripped:
        return stripped[0]
    return lines[0] if lines else ""


def generate_name(lines: list[str]) -> str:
    """Runme's name for a cell without an explicit one."""
    return _sanitize(first_command(lines))


def _sanitize(text: str) -> str:
    equals = text.find("=")
    if equals > 0:
        return _sanitize(text[:equals])
    raw = text.encode("utf-8")[:32].decode("utf-8", errors="ignore")
    words = raw.split(" ")
    raw = " ".join(words[:2]) if len(words) > 1 else words[0]
    out: list[str] = []
    for ch in raw.lower():
        if ch == " " and out:
            out.append("-")
        elif "0" <= ch <= "9" or "a" <= ch <= "z":
            out.append(ch)
    return "".join(out)


class NameCounter:
    """Hands out unique names within one document: the second ``foo`` becomes ``foo-2``."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def claim(self, name: str) -> str:
        count = self._seen.get(name, 0) + 1
        self._seen[name] = count
        return name if count == 1 else f"{name}-{count}"


_BAD_ENDING = re.compile(r"[^a-z0-9!?.]\Z")


def describe(paragraph: str) -> str:
    """A cell's description from the paragraph before it; a trailing ``:`` (or other) becomes ``.``."""
    return _BAD_ENDING.sub(".", paragraph)
