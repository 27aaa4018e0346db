"""CommonMark block structure: which lines form which block, and how blocks nest.

This is all the parser needs from Markdown; inline syntax (emphasis, links) never matters for cells.
``Block`` trees come from the fast scanner in ``scanner.py``; ``scan_with_markdown_it`` builds the
same tree with markdown-it-py, the reference the scanner is tested against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock

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
        pending = [self]  # a loop, not recursion: nesting depth is the input's to choose
        while pending:
            block = pending.pop()
            if block.kind in CODE_KINDS:
                return True
            pending.extend(block.children)
        return False


def scan_with_markdown_it(text: str) -> list[Block]:
    """The block tree as markdown-it-py (CommonMark) sees it."""
    if text and not text.endswith(("\n", "\r")):
        text += "\n"  # markdown-it-py may drop a last line without one (blank, or in a fence)
    tokens = _markdown_it().parse(text)
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
            # an opening line, the body, and a closing line if there is one
            block.closed = block.end - block.start - block.content.count("\n") == 2
        elif kind == "code":
            block.content = token.content
        elif kind == "item":
            block.marker = token.info + token.markup if token.info else token.markup
        elif kind == "html":  # its map runs over blank lines up to the container's end
            body = token.content.removesuffix("\n").split("\n")
            while len(body) > 1 and not body[-1].strip(" \t"):
                body.pop()
                block.end -= 1
        siblings = stack[-1].children
        if kind == "reference" and siblings and siblings[-1].kind == "reference":
            siblings[-1].end = block.end  # definitions in a row read as one block
            continue
        siblings.append(block)
        if token.nesting == 1:
            stack.append(block)
    return root.children


_KIND_BY_TOKEN = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "hr": "hr",
    "html_block": "html",
    "fence": "fence",
    "code_block": "code",
    "definition": "reference",
    "blockquote_open": "blockquote",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "list_item_open": "item",
}


@cache
def _markdown_it() -> MarkdownIt:
    """CommonMark as markdown-it-py parses it, mended where it strays from the spec.

    - Link reference definitions are kept as ``definition`` tokens (it drops them otherwise), and
      any URL is a valid destination (it refuses ``javascript:`` and the like, for safety).
    - A definition is the start of a paragraph: lines after it that could not interrupt a
      paragraph (``2. x``, an indented line, ``<span>``, a lazy line) are paragraph text, no
      list item ends a definition that a paragraph would go on through, and a setext underline
      does end it.
    - Nesting stops a little past the scanner's cap (deeper documents are not compared), before
      markdown-it's recursion could reach Python's limit.

    ``scan_with_markdown_it`` adds what the tokens do not say: a line ending after the last line
    (markdown-it-py loses a last blank line, or a last line inside a fence, without one), whether
    a fence was closed (counted from its lines), and where an HTML block's text ends.

    Still wrong, and kept out of the generated test documents (``test_scanner.tame``): a tab
    after a ``>`` (its columns), lazy lines indented four columns or more in nested containers,
    an indented ``>`` going on a block quote, and the second blank line after an empty item.
    """
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import lheading, list_block, paragraph, reference

    from waypost.notebook.scanner import MAX_DEPTH

    md = MarkdownIt("commonmark", {"maxNesting": 2 * MAX_DEPTH + 2, "inline_definitions": True})
    md.disable("inline")
    md.validateLink = lambda url: True  # type: ignore[method-assign]

    def list_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if silent and state.parentType == "reference":
            state.parentType = "paragraph"
            try:
                return list_block(state, start, end, silent)
            finally:
                state.parentType = "reference"
        return list_block(state, start, end, silent)

    def reference_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if not reference(state, start, end, silent):
            return False
        while not silent and _paragraph_goes_on(state, state.line, end):
            line = state.line
            indent = state.sCount[line]
            if state.is_code_block(line):
                state.sCount[line] = state.blkIndent  # paragraph text, however indented
            try:
                if reference(state, line, end, False):
                    continue
                if not lheading(state, line, end, False):
                    paragraph(state, line, end, False)
            finally:
                state.sCount[line] = indent
            break
        return True

    md.block.ruler.at("list", list_rule, {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.at("reference", reference_rule)
    md.block.ruler.before("reference", "setext_stop", _setext_stop, {"alt": ["reference"]})
    return md


def _setext_stop(state: StateBlock, line: int, end: int, silent: bool) -> bool:
    """A setext underline ends a definition's lines: it belongs to the paragraph, not to it."""
    if not silent or state.parentType != "reference" or state.is_code_block(line):
        return False
    if state.sCount[line] < state.blkIndent:
        return False
    text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
    return _UNDERLINE.match(text) is not None


_UNDERLINE = re.compile(r"(?:=+|-+)[ \t]*$")


def _paragraph_goes_on(state: StateBlock, line: int, end: int) -> bool:
    """Whether ``line`` would continue a paragraph that stood where the definition ended."""
    if line >= min(end, state.lineMax) or state.isEmpty(line):
        return False
    if state.sCount[line] < 0 or state.is_code_block(line):
        return True
    parent = state.parentType
    state.parentType = "paragraph"
    try:
        rules = state.md.block.ruler.getRules("paragraph")
        return not any(rule(state, line, end, True) for rule in rules)
    finally:
        state.parentType = parent
