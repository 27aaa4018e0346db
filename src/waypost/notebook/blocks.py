"""CommonMark block structure: which lines form which block, and how blocks nest.

This is all the parser needs from Markdown; inline syntax (emphasis, links) never matters for cells.
``Block`` trees come from the fast scanner in ``scanner.py``; ``scan_with_markdown_it`` builds the
same tree with markdown-it-py, the reference the scanner is tested against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Block", "LineIndex", "scan_with_markdown_it"]

LEAF_KINDS = frozenset({"paragraph", "heading", "hr", "html", "fence", "code", "reference"})
CODE_KINDS = frozenset({"fence", "code"})

_NEWLINE = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Line starts of a text, splitting on ``\\n``, ``\\r\\n`` and a lone ``\\r`` as CommonMark does."""

    __slots__ = ("count", "cr", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.cr = "\r" in text
        starts = [0]
        if self.cr:
            starts.extend(m.end() for m in _NEWLINE.finditer(text))
        else:
            find = text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
        if starts[-1] == len(text) and len(starts) > 1:
            starts.pop()
        self.starts = starts
        self.count = len(starts) if text else 0

    def __len__(self) -> int:
        return self.count

    def start(self, line: int) -> int:
        """Offset where ``line`` begins; the end of the text for ``line == len(self)``."""
        return self.starts[line] if line < self.count else len(self.text)

    def end_of_line(self, line: int) -> int:
        """Offset just before the line's ending."""
        if line + 1 < self.count and not self.cr:
            return self.starts[line + 1] - 1
        end = self.start(line + 1)
        begin = self.starts[line]
        text = self.text
        while end > begin and text[end - 1] in "\r\n":
            end -= 1
        return end

    def line(self, line: int) -> str:
        """The line's text without its line ending."""
        return self.text[self.starts[line] : self.end_of_line(line)]

    def ending(self, line: int) -> str:
        """The line's ending characters (``""`` for the last line without one)."""
        return self.text[self.end_of_line(line) : self.start(line + 1)]


@dataclass(slots=True)
class Block:
    """One block of the CommonMark block structure."""

    kind: str
    """``paragraph``, ``heading``, ``hr``, ``html``, ``fence``, ``code`` (indented), ``reference``
    (link reference definitions), or a container: ``blockquote``, ``list``, ``item``."""
    start: int
    """Index of the first line."""
    end: int
    """Index one past the last line. Leaves exclude trailing blank lines; a fence includes its
    closing line."""
    children: list[Block] = field(default_factory=list)
    info: str = ""
    """Fence: the info string, trimmed."""
    marker: str = ""
    """Fence: its characters (```````, ``~~~~``). Item: its marker as written (``-``, ``3.``, ``1)``)."""
    content: str = ""
    """Fence and indented code: the body, container prefixes and indentation removed."""
    closed: bool = True
    """Fence: whether a closing fence was found."""

    def contains_code(self) -> bool:
        if self.kind in CODE_KINDS:
            return True
        return any(child.contains_code() for child in self.children)


def scan_with_markdown_it(text: str) -> list[Block]:
    """The block tree as markdown-it-py (CommonMark) sees it."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"maxNesting": 10_000})
    md.disable("inline")
    tokens = md.parse(text)
    lines = LineIndex(text)
    root = Block("root", 0, len(lines))
    stack = [root]
    for token in tokens:
        if token.nesting == -1:
            stack.pop()
            continue
        kind = _KIND_BY_TOKEN.get(token.type)
        if kind is None or token.map is None:
            continue
        block = Block(kind, token.map[0], token.map[1])
        if kind == "fence":
            block.info = token.info.strip()
            block.marker = token.markup
            block.content = token.content
            block.closed = _fence_closed(lines, block)
        elif kind == "code":
            block.content = token.content
            block.end = _trim_blank_tail(lines, block.start, block.end)
        elif kind == "item":
            block.marker = token.info + token.markup if token.info else token.markup
        elif kind == "html":
            block.end = _trim_blank_tail(lines, block.start, block.end)
        stack[-1].children.append(block)
        if token.nesting == 1:
            stack.append(block)
    _add_references(root, lines)
    return root.children


_KIND_BY_TOKEN = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "hr": "hr",
    "html_block": "html",
    "fence": "fence",
    "code_block": "code",
    "blockquote_open": "blockquote",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "list_item_open": "item",
}

_BLANKISH = re.compile(r"^[\s>]*$")


def _trim_blank_tail(lines: LineIndex, start: int, end: int) -> int:
    while end > start + 1 and _BLANKISH.match(lines.line(end - 1)):
        end -= 1
    return end


def _fence_closed(lines: LineIndex, block: Block) -> bool:
    if block.end - block.start < 2:
        return False
    last = lines.line(block.end - 1).lstrip(" >\t")
    char = block.marker[0]
    run = len(last) - len(last.lstrip(char))
    return run >= len(block.marker) and not last[run:].strip()


def _add_references(parent: Block, lines: LineIndex) -> None:
    """markdown-it drops link reference definitions; give their lines a block of their own."""
    if not parent.children and parent.kind not in ("root", "blockquote", "item"):
        return
    result: list[Block] = []
    cursor = parent.start
    if parent.kind == "item" and (not parent.children or parent.children[0].start > parent.start):
        cursor += 1  # the marker line itself
    for child in parent.children:
        _add_gap(result, lines, cursor, child.start)
        result.append(child)
        if child.kind in ("blockquote", "list", "item"):
            _add_references(child, lines)
        cursor = child.end
    if parent.kind in ("root", "blockquote", "item"):
        _add_gap(result, lines, cursor, parent.end)
    parent.children = result


def _add_gap(result: list[Block], lines: LineIndex, start: int, end: int) -> None:
    first = last = -1
    for number in range(start, end):
        if not _BLANKISH.match(lines.line(number)):
            if first < 0:
                first = number
            last = number
    if first >= 0:
        result.append(Block("reference", first, last + 1))
