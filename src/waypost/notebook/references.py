"""Link reference definitions: how many lines at the start of a paragraph they take.

CommonMark reads ``[label]: destination "title"`` only at the start of a paragraph, once the
paragraph's lines are known; what follows the definitions stays paragraph text. A definition may
span lines: its destination and its title may each start a new line. When anything but spaces
follows the title, the definition ends before the title if the title starts a line of its own,
and there is no definition otherwise.
"""

from __future__ import annotations

import re

__all__ = ["definition_lines"]

_LABEL = re.compile(r"\[((?:[^\\\[\]]|\\[\s\S])++)\]:")
_SPACE_NEWLINE = re.compile(r"[ \t]*+(?:\n[ \t]*+)?")
_LINE_REST = re.compile(r"[ \t]*+(?:\n|$)")
_ANGLE_DESTINATION = re.compile(r"<(?:[^<>\n\\]|\\[^\n])*+>")
_DESTINATION_RUN = re.compile(r"[^\x00-\x20\x7f()\\]+")
_TITLES = {
    '"': re.compile(r'"(?:[^"\\]|\\[\s\S])*+"'),
    "'": re.compile(r"'(?:[^'\\]|\\[\s\S])*+'"),
    "(": re.compile(r"\((?:[^()\\]|\\[\s\S])*+\)"),
}
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def definition_lines(lines: list[str]) -> int:
    """How many of a paragraph's lines (leading whitespace removed) are link reference
    definitions at its start."""
    text = "\n".join(lines)
    pos = taken = 0
    while pos < len(text) and text[pos] == "[":
        end = _definition_end(text, pos)
        if end < 0:
            break
        taken += text.count("\n", pos, end) + 1
        pos = end + 1
    return taken


def _definition_end(text: str, pos: int) -> int:
    """Where the line ending a definition starting at ``pos`` ends (its ``\\n`` or the end of
    the text), or -1 if there is no definition there."""
    label = _LABEL.match(text, pos)
    if label is None or len(label.group(1)) > 999 or not label.group(1).strip(" \t\n"):
        return -1
    pos = _SPACE_NEWLINE.match(text, label.end()).end()  # type: ignore[union-attr]
    destination = _destination_end(text, pos)
    if destination < 0:
        return -1
    pos = _SPACE_NEWLINE.match(text, destination).end()  # type: ignore[union-attr]
    if pos > destination and pos < len(text) and text[pos] in _TITLES:
        title = _TITLES[text[pos]].match(text, pos)
        if title is not None:
            rest = _LINE_REST.match(text, title.end())
            if rest is not None:
                return rest.end() - 1 if rest.group().endswith("\n") else rest.end()
    # No title, or something after it: the destination must end its line.
    rest = _LINE_REST.match(text, destination)
    if rest is None:
        return -1
    return rest.end() - 1 if rest.group().endswith("\n") else rest.end()


def _destination_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return -1
    if text[pos] == "<":
        match = _ANGLE_DESTINATION.match(text, pos)
        return match.end() if match else -1
    start = pos
    depth = 0
    n = len(text)
    while pos < n:
        run = _DESTINATION_RUN.match(text, pos)
        if run is not None:
            pos = run.end()
            continue
        char = text[pos]
        if char == "\\":
            if pos + 1 < n and text[pos + 1] in _ASCII_PUNCTUATION:
                pos += 2
                continue
            pos += 1
        elif char == "(":
            depth += 1
            if depth > 32:
                return -1
            pos += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
            pos += 1
        else:
            break  # a space or a control character
    if pos == start or depth:
        return -1
    return pos
