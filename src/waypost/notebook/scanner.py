"""Fast CommonMark block scanner: Markdown text → ``Block`` tree, in pure Python.

A line-oriented parser following the "parsing strategy" appendix of CommonMark 0.31.2: each line
first walks the open containers (block quotes, lists, items) to see which it continues, then looks
for new block starts, and what is left is paragraph text, possibly a lazy continuation line.
Only block structure is built; inline syntax never matters for cells. Tabs count to the next
multiple of four columns, and the part of a tab a container marker does not use counts as spaces.

Speed comes from taking the common lines in bulk: lines that continue a paragraph or a fence body
behind the usual container prefix (none, ``> ``, an item's indentation) are recognised by their
first characters without walking the containers, and everything is decided once per line, never
per character. ``blocks.scan_with_markdown_it`` builds the same tree and is what the tests
compare this scanner with.
"""

from __future__ import annotations

import re

from waypost.notebook.blocks import Block
from waypost.notebook.references import definition_lines

__all__ = ["MAX_DEPTH", "scan"]

MAX_DEPTH = 100
"""Block quotes and list items nest at most this deep; deeper markers are read as plain text.
Real documents never come close, and the cap keeps hostile input (``>>>>…`` ten thousand times)
linear: each line walks its open containers."""

# Open containers on the scanner's stack.
_ROOT, _QUOTE, _LIST, _ITEM = 0, 1, 2, 3
# The open leaf, if any (it always belongs to the innermost open container).
_NONE, _PARAGRAPH, _FENCE, _CODE, _HTML = 0, 1, 2, 3, 4

_LINE_BREAK = re.compile(r"\r\n?")
_BLANKS = re.compile(r"[ \t]*")

# Characters that can begin a block (or a setext underline) once indentation is skipped; a line
# whose first non-space character is none of these can only be paragraph text.
_STARTERS = frozenset("#>`~<-*+_=0123456789")
_HEEDED = _STARTERS | {" ", "\t"}

_ATX = re.compile(r"#{1,6}(?:[ \t]|$)")
_FENCE_OPEN = re.compile(r"(`{3,})([^`]*)$|(~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"(`{3,}|~{3,})[ \t]*$")
_SETEXT = re.compile(r"(?:=+|-+)[ \t]*$")
_ORDERED = re.compile(r"([0-9]{1,9})([.)])(?=[ \t]|$)")

_TAG_NAME = "[A-Za-z][A-Za-z0-9-]*"
_ATTRIBUTE = r"(?:[ \t\n]+[a-zA-Z_:][a-zA-Z0-9_.:-]*(?:[ \t\n]*=[ \t\n]*(?:[^ \t\n\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)"
_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|"
    "dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|"
    "h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|"
    "option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul"
)
# HTML block kinds 1-7 of the spec: how each starts and what ends it (None: a blank line).
_HTML_KINDS: tuple[tuple[re.Pattern[str], re.Pattern[str] | None, bool], ...] = (
    (
        re.compile(r"<(?:pre|script|style|textarea)(?:[ \t>]|$)", re.IGNORECASE),
        re.compile(r"</(?:pre|script|style|textarea)>", re.IGNORECASE),
        True,
    ),
    (re.compile(r"<!--"), re.compile(r"-->"), True),
    (re.compile(r"<\?"), re.compile(r"\?>"), True),
    (re.compile(r"<![A-Za-z]"), re.compile(r">"), True),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>"), True),
    (re.compile(rf"</?(?:{_BLOCK_TAGS})(?:[ \t]|/?>|$)", re.IGNORECASE), None, True),
    (
        re.compile(rf"(?:<{_TAG_NAME}{_ATTRIBUTE}*+[ \t]*/?>|</{_TAG_NAME}[ \t]*>)[ \t]*$"),
        None,
        False,
    ),
)


def scan(text: str) -> list[Block]:
    """The document's blocks: which lines form which block and how blocks nest."""
    if not text:
        return []
    if "\r" in text:
        text = _LINE_BREAK.sub("\n", text)
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()  # the line break ends the last line; it does not start another
    return _Scanner(lines).run()


class _Container:
    """An open block quote, list or list item."""

    __slots__ = ("block", "kind", "level", "marker", "occupied", "pad", "width")

    def __init__(self, kind: int, block: Block, width: int = 0, marker: str = "") -> None:
        self.kind = kind
        self.block = block
        self.width = width
        """Item: the column its content starts at, relative to its container."""
        self.pad = " " * width
        self.marker = marker
        """List: what an item must end with to belong (``-``, ``.``, ``)``…)."""
        self.occupied = False
        """Item: whether anything but blank lines followed the marker yet."""
        self.level = 0
        """How many block quotes and items it is, counting itself and those around it."""


class _Scanner:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        root = Block("root", 0, len(lines))
        self.stack = [_Container(_ROOT, root)]
        self.leaf = _NONE
        self.leaf_start = 0
        self.leaf_last = 0
        self.parts: list[str] | None = None
        """Paragraph: its lines while it may start with link reference definitions.
        Fence and indented code: the content lines."""
        self.fence_char = ""
        self.fence_length = 0
        self.fence_indent = 0
        self.fence_info = ""
        self.fence_marker = ""
        self.code_kept = 0
        """Indented code: how many parts end with a non-blank line (trailing blanks are not code)."""
        self.html_end: re.Pattern[str] | None = None

    def run(self) -> list[Block]:
        lines = self.lines
        total = len(lines)
        line = self.line
        stack = self.stack
        number = 0
        while number < total:
            if len(stack) == 1:
                number = self.top_level(number)
                if number >= total:
                    break
            elif self.leaf == _FENCE or self.leaf == _PARAGRAPH:
                number = self.in_containers(number)
                if number >= total:
                    break
            ln = lines[number]
            if ln:
                line(ln, number)
            else:
                self.blank_line(number)
            number += 1
        self.close_leaf(total)
        while len(stack) > 1:
            self.pop(total)
        return stack[0].block.children

    def top_level(self, number: int) -> int:
        """Take the lines from ``number`` on that need no container matching: the top level's
        paragraph text, fence bodies, headings and blank lines, each with a quick look. Returns
        the first line that needs the general path."""
        lines = self.lines
        total = len(lines)
        while number < total:
            leaf = self.leaf
            if leaf == _NONE:
                ln = lines[number]
                if not ln:
                    number += 1
                    continue
                lead = ln[0]
                if lead not in _HEEDED and lead != "[":
                    self.leaf = _PARAGRAPH
                    self.leaf_start = self.leaf_last = number
                    self.parts = None
                elif lead == "#" and _ATX.match(ln):
                    self.add(Block("heading", number, number + 1))
                elif not (lead in "`~" and self.try_fence(ln, 0, 0, 1, number)):
                    return number
                number += 1
            elif leaf == _PARAGRAPH and self.parts is None:
                first = number
                while number < total:
                    ln = lines[number]
                    if not ln or ln[0] in _HEEDED:
                        break
                    number += 1
                if number > first:
                    self.leaf_last = number - 1
                if number >= total or lines[number]:
                    return number
                self.close_leaf(number)  # a blank line ends it
                number += 1
            elif leaf == _FENCE and not self.fence_indent:
                number = self.top_fence(number)
            else:
                return number
        return number

    def in_containers(self, number: int) -> int:
        """Like ``top_level`` for a paragraph or fence inside containers: take the lines that
        begin with the usual prefix of every open container (``> `` for a quote, an item's
        indentation in spaces) followed by plain text or fence body."""
        prefix = self.prefix()
        if prefix is None:
            return number
        if self.leaf == _FENCE:
            return self.top_fence(number, prefix) if not self.fence_indent else number
        if self.parts is not None:
            return number
        lines = self.lines
        total = len(lines)
        width = len(prefix)
        first = number
        while number < total:
            ln = lines[number]
            if not ln.startswith(prefix) or len(ln) == width or ln[width] in _HEEDED:
                break
            number += 1
        if number > first:
            self.leaf_last = number - 1
        return number

    def prefix(self) -> str | None:
        """What a line usually starts with to go on in every open container; ``None`` while an
        item has only had its marker (a blank line would end it)."""
        parts = []
        for container in self.stack:
            kind = container.kind
            if kind == _QUOTE:
                parts.append("> ")
            elif kind == _ITEM:
                if not container.occupied:
                    return None
                parts.append(container.pad)
        return "".join(parts)

    def top_fence(self, number: int, prefix: str = "") -> int:
        """Take a fence's body lines that start with ``prefix`` (see ``in_containers``), and
        its closing line; stop at the first line that needs a closer look."""
        lines = self.lines
        total = len(lines)
        char = self.fence_char
        append = self.parts.append  # type: ignore[union-attr]
        indent = len(prefix)
        first = number
        while number < total:
            ln = lines[number]
            if indent and not ln.startswith(prefix):
                break
            lead = ln[indent : indent + 1]
            if lead == char or lead == " ":
                body = ln[indent:].lstrip(" ")
                if body[:1] == char and len(ln) - indent - len(body) < 4:
                    close = _FENCE_CLOSE.match(body)
                    if close and close.end(1) >= self.fence_length:
                        self.leaf_last = number
                        self.finish_fence(closed=True)
                        return number + 1
            append(ln[indent:] if indent else ln)
            number += 1
        if number > first:
            self.leaf_last = number - 1
        return number

    # -- one line -----------------------------------------------------------------------------

    def blank_line(self, number: int) -> None:
        """An empty line: the general path cut down to what an empty line can do."""
        stack = self.stack
        size = len(stack)
        matched = 1
        while matched < size:
            container = stack[matched]
            if container.kind == _QUOTE or (container.kind == _ITEM and not container.occupied):
                break
            matched += 1
        leaf = self.leaf
        if matched == size:
            if leaf in (_FENCE, _CODE):
                self.parts.append("")  # type: ignore[union-attr]
                self.leaf_last = number  # an unclosed fence owns its blank lines
                return
            if leaf == _HTML and self.html_end is not None:
                return
        self.close_unmatched(matched, number)

    def line(self, ln: str, number: int) -> None:
        stack = self.stack
        size = len(stack)
        n = len(ln)
        pos = col = 0
        partial = False  # a tab at ``pos`` is partly consumed: ``col`` is inside it
        matched = 1
        while matched < size:
            container = stack[matched]
            kind = container.kind
            if kind == _LIST:
                matched += 1
                continue
            # the usual prefixes first: ``> `` and an item's indentation in plain spaces
            if kind == _ITEM:
                if container.occupied and ln.startswith(container.pad, pos):
                    pos += container.width
                    col += container.width
                    matched += 1
                    continue
            elif ln.startswith("> ", pos):
                pos += 2
                col += 2
                matched += 1
                continue
            if pos < n and ln[pos] > " ":
                nn, ncol = pos, col
            else:
                nn, ncol = _nonspace(ln, pos, col)
            if kind == _QUOTE:
                if ncol - col >= 4 or nn >= n or ln[nn] != ">":
                    break
                pos, col, partial = _after_quote_marker(ln, nn + 1, ncol + 1)
            elif nn >= n:
                if not container.occupied:
                    break  # an item can begin with at most one blank line
                pos, col, partial = _advance(ln, pos, col, container.width)
            elif ncol - col >= container.width:
                pos, col, partial = _advance(ln, pos, col, container.width)
            else:
                break
            matched += 1

        leaf = self.leaf
        leaf_matched = False
        if matched == size and leaf != _NONE:
            if pos < n and ln[pos] not in _HEEDED:
                if leaf == _PARAGRAPH:
                    self.leaf_last = number  # plain text going on
                    if self.parts is not None:
                        self.parts.append(ln[pos:])
                    return
                if leaf == _FENCE and ln[pos] != self.fence_char:
                    self.parts.append(ln[pos:])  # type: ignore[union-attr]
                    self.leaf_last = number
                    return
            if leaf == _FENCE:
                self.fence_line(ln, pos, col, partial, number)
                return
            if leaf == _CODE:
                nn, ncol = _nonspace(ln, pos, col)
                if ncol - col >= 4:
                    self.code_line(ln, *_advance(ln, pos, col, 4), number)
                    return
                if nn >= n:
                    self.parts.append("")  # type: ignore[union-attr]
                    return
            elif leaf == _HTML:
                if self.html_line(ln, pos, number):
                    return
            else:
                leaf_matched = _nonspace(ln, pos, col)[0] < n  # a blank line ends a paragraph
        all_closed = matched == size and (leaf == _NONE or leaf_matched)
        self.starts(ln, number, pos, col, matched, leaf_matched, all_closed)

    def starts(
        self,
        ln: str,
        number: int,
        pos: int,
        col: int,
        matched: int,
        in_paragraph: bool,
        all_closed: bool,
    ) -> None:
        """New block starts, then the rest of the line as paragraph text."""
        n = len(ln)
        while True:
            if pos < n and ln[pos] > " ":
                nn, ncol = pos, col
            else:
                nn, ncol = _nonspace(ln, pos, col)
            if nn >= n:
                break
            indent = ncol - col
            char = ln[nn]
            if indent >= 4:
                if self.leaf == _PARAGRAPH:
                    break  # indented code cannot interrupt a paragraph
                self.close_unmatched(matched, number)
                self.open_leaf(number)
                self.leaf = _CODE
                self.leaf_start = number
                self.parts = []
                self.code_kept = 0
                self.code_line(ln, *_advance(ln, pos, col, 4), number)
                return
            if char not in _STARTERS:
                break
            if char == ">":
                if self.stack[matched - 1].level >= MAX_DEPTH:
                    break
                self.close_unmatched(matched, number)
                self.open_container(_Container(_QUOTE, Block("blockquote", number, number)))
                matched = len(self.stack)
                in_paragraph = False
                pos, col, _ = _after_quote_marker(ln, nn + 1, ncol + 1)
                continue
            if char == "#" and _ATX.match(ln, nn):
                self.close_unmatched(matched, number)
                self.add(Block("heading", number, number + 1))
                return
            if char in "`~" and self.try_fence(ln, nn, indent, matched, number):
                return
            if char == "<" and self.try_html(ln, nn, matched, number, in_paragraph, all_closed):
                return
            if in_paragraph and char in "=-" and _SETEXT.match(ln, nn) and self.setext(number):
                return
            if char in "*-_" and _is_thematic_break(ln, nn):
                self.close_unmatched(matched, number)
                self.add(Block("hr", number, number + 1))
                return
            item = self.try_item(ln, nn, ncol, col, matched, number, in_paragraph)
            if item is None:
                break
            pos, col, _ = item
            matched = len(self.stack)
            in_paragraph = False

        blank = nn >= n
        if not all_closed and not blank and self.leaf == _PARAGRAPH:
            self.paragraph_line(ln, nn, number)  # lazy continuation
            return
        self.close_unmatched(matched, number, keep_paragraph=in_paragraph)
        if blank:
            return
        if in_paragraph:
            self.paragraph_line(ln, nn, number)
            return
        self.open_leaf(number)
        self.leaf = _PARAGRAPH
        self.leaf_start = number
        self.parts = [ln[nn:]] if ln[nn] == "[" else None
        self.leaf_last = number

    # -- leaves -------------------------------------------------------------------------------

    def paragraph_line(self, ln: str, nn: int, number: int) -> None:
        self.leaf_last = number
        if self.parts is not None:
            self.parts.append(ln[nn:])

    def try_fence(self, ln: str, nn: int, indent: int, matched: int, number: int) -> bool:
        match = _FENCE_OPEN.match(ln, nn)
        if match is None:
            return False
        self.close_unmatched(matched, number)
        marker = match.group(1) or match.group(3)
        self.open_leaf(number)
        self.leaf = _FENCE
        self.leaf_start = self.leaf_last = number
        self.fence_char = marker[0]
        self.fence_length = len(marker)
        self.fence_indent = indent
        self.fence_marker = marker
        self.fence_info = (match.group(2) if match.group(1) else match.group(4)).strip()
        self.parts = []
        return True

    def fence_line(self, ln: str, pos: int, col: int, partial: bool, number: int) -> None:
        nn, ncol = _nonspace(ln, pos, col)
        if ncol - col < 4 and nn < len(ln) and ln[nn] == self.fence_char:
            match = _FENCE_CLOSE.match(ln, nn)
            if match and match.end(1) - nn >= self.fence_length:
                self.leaf_last = number
                self.finish_fence(closed=True)
                return
        if self.fence_indent:
            pos, col, partial = _advance(ln, pos, col, self.fence_indent)
        self.parts.append(_rest(ln, pos, col, partial))  # type: ignore[union-attr]
        self.leaf_last = number

    def finish_fence(self, closed: bool) -> None:
        parts = self.parts or ()
        block = Block("fence", self.leaf_start, self.leaf_last + 1)
        block.info = self.fence_info
        block.marker = self.fence_marker
        block.content = "\n".join(parts) + "\n" if parts else ""
        block.closed = closed
        self.leaf = _NONE
        self.parts = None
        self.add(block)

    def code_line(self, ln: str, pos: int, col: int, partial: bool, number: int) -> None:
        parts = self.parts
        assert parts is not None
        rest = _rest(ln, pos, col, partial)
        parts.append(rest)
        if rest.strip(" \t"):
            self.code_kept = len(parts)

    def try_html(
        self,
        ln: str,
        nn: int,
        matched: int,
        number: int,
        in_paragraph: bool,
        all_closed: bool,
    ) -> bool:
        for start, end, interrupts in _HTML_KINDS:  # noqa: B007 (the match is used below)
            if start.match(ln, nn):
                break
        else:
            return False
        if not interrupts and (in_paragraph or (not all_closed and self.leaf == _PARAGRAPH)):
            return False  # kind 7 cannot interrupt a paragraph, not even a lazy one
        self.close_unmatched(matched, number)
        self.open_leaf(number)
        self.leaf = _HTML
        self.leaf_start = self.leaf_last = number
        self.html_end = end
        if end is not None and end.search(ln, nn):
            self.close_leaf(number + 1)
        return True

    def html_line(self, ln: str, pos: int, number: int) -> bool:
        """Add a line to the open HTML block; ``False`` if a blank line ends it instead."""
        end = self.html_end
        if end is None:
            if _nonspace(ln, pos, 0)[0] >= len(ln):
                return False
            self.leaf_last = number
            return True
        if _nonspace(ln, pos, 0)[0] < len(ln):
            self.leaf_last = number
        if end.search(ln, pos):
            self.leaf_last = number
            self.close_leaf(number + 1)
        return True

    def setext(self, number: int) -> bool:
        """Turn the open paragraph into a heading, unless it held only link definitions."""
        start = self.leaf_start
        if self.parts is not None:
            taken = self.take_definitions()
            if taken == number - start:
                return False  # nothing left to be a heading: the underline is paragraph text
            start += taken
        self.leaf = _NONE
        self.parts = None
        self.add(Block("heading", start, number + 1))
        return True

    def take_definitions(self) -> int:
        """Emit the link reference definitions opening the paragraph; how many lines they use."""
        parts = self.parts
        assert parts is not None
        taken = definition_lines(parts)
        if taken:
            self.add(Block("reference", self.leaf_start, self.leaf_start + taken))
            self.leaf_start += taken
        self.parts = None
        return taken

    def close_leaf(self, end: int) -> None:
        leaf = self.leaf
        if leaf == _NONE:
            return
        if leaf == _PARAGRAPH:
            if self.parts is not None:
                self.take_definitions()
            if self.leaf_start <= self.leaf_last:
                self.add(Block("paragraph", self.leaf_start, self.leaf_last + 1))
        elif leaf == _FENCE:
            self.finish_fence(closed=False)
            return
        elif leaf == _CODE:
            parts = self.parts
            assert parts is not None
            kept = self.code_kept
            block = Block("code", self.leaf_start, self.leaf_start + kept)
            block.content = "\n".join(parts[:kept]) + "\n"
            self.add(block)
        else:
            self.add(Block("html", self.leaf_start, self.leaf_last + 1))
        self.leaf = _NONE
        self.parts = None

    # -- containers ---------------------------------------------------------------------------

    def try_item(
        self,
        ln: str,
        nn: int,
        ncol: int,
        col: int,
        matched: int,
        number: int,
        in_paragraph: bool,
    ) -> tuple[int, int, bool] | None:
        """Start a list item at ``nn`` if there is one; where its content begins."""
        if self.stack[matched - 1].level >= MAX_DEPTH:
            return None
        bullet = ln[nn]
        if bullet in "-+*":
            end = nn + 1
            if end < len(ln) and ln[end] != " " and ln[end] != "\t":
                return None
            marker = key = bullet
        else:
            match = _ORDERED.match(ln, nn)
            if match is None or (in_paragraph and match.group(1) != "1"):
                return None
            end = match.end()
            marker = match.group()
            key = match.group(2)
        content_col = ncol + end - nn
        if end + 1 < len(ln) and ln[end] == " " and ln[end + 1] > " ":
            after, after_col = end + 1, content_col + 1  # the usual single space
        else:
            after, after_col = _nonspace(ln, end, content_col)
        blank_item = after >= len(ln)
        if in_paragraph and blank_item:
            return None  # an empty item cannot interrupt a paragraph
        self.close_unmatched(matched, number)
        spaces = after_col - content_col
        if blank_item or spaces > 4:
            # the content starts one column after the marker; the rest is indented code
            pos, col_after, partial = _advance(ln, end, content_col, 1)
            width = end - nn + 1
        else:
            pos, col_after, partial = after, after_col, False
            width = end - nn + spaces
        top = self.stack[-1]
        if top.kind != _LIST or top.marker != key:
            if top.kind == _LIST:
                self.pop(number)
            self.open_container(_Container(_LIST, Block("list", number, number), marker=key))
        item = _Container(_ITEM, Block("item", number, number), ncol - col + width)
        item.block.marker = marker
        self.open_container(item)
        return pos, col_after, partial

    def open_container(self, container: _Container) -> None:
        """Push a container; its block joins the children of the one it opens in."""
        top = self.stack[-1]
        if top.kind == _LIST and container.kind != _ITEM:
            self.pop(container.block.start)
            top = self.stack[-1]
        top.occupied = True
        top.block.children.append(container.block)
        self.stack.append(container)
        container.level = top.level + (container.kind != _LIST)

    def open_leaf(self, number: int) -> None:
        top = self.stack[-1]
        if top.kind == _LIST:
            self.pop(number)
            top = self.stack[-1]
        top.occupied = True

    def pop(self, end: int) -> None:
        container = self.stack.pop()
        container.block.end = end

    def close_unmatched(self, matched: int, number: int, keep_paragraph: bool = False) -> None:
        """Close the open leaf (unless it goes on) and the containers this line did not match."""
        if self.leaf != _NONE and not keep_paragraph:
            self.close_leaf(number)
        stack = self.stack
        while len(stack) > matched:
            self.pop(number)

    def add(self, block: Block) -> None:
        """Append a finished leaf to the innermost open container."""
        top = self.stack[-1]
        if top.kind == _LIST:
            self.pop(block.start)
            top = self.stack[-1]
        top.occupied = True
        children = top.block.children
        if block.kind == "reference" and children and children[-1].kind == "reference":
            children[-1].end = block.end  # definitions in a row read as one block
            return
        children.append(block)


# -- line positions -------------------------------------------------------------------------------


def _nonspace(ln: str, pos: int, col: int) -> tuple[int, int]:
    """Index and column of the first character at or after ``pos`` that is not a space or tab."""
    end = _BLANKS.match(ln, pos).end()  # type: ignore[union-attr]
    if end == pos:
        return pos, col
    run = ln[pos:end]
    if "\t" in run:
        lead = col % 4  # expand the tabs from the column the run starts at
        return end, col - lead + len((" " * lead + run).expandtabs(4))
    return end, col + end - pos


def _advance(ln: str, pos: int, col: int, count: int) -> tuple[int, int, bool]:
    """Consume up to ``count`` columns of spaces and tabs; a tab may be consumed in part."""
    n = len(ln)
    while count > 0 and pos < n:
        char = ln[pos]
        if char == "\t":
            width = 4 - col % 4
            if width > count:
                return pos, col + count, True
            col += width
            count -= width
        elif char == " ":
            col += 1
            count -= 1
        else:
            break
        pos += 1
    return pos, col, False


def _after_quote_marker(ln: str, pos: int, col: int) -> tuple[int, int, bool]:
    """Skip the optional space after ``>`` (one column of a tab counts)."""
    if pos < len(ln):
        char = ln[pos]
        if char == " ":
            return pos + 1, col + 1, False
        if char == "\t":
            return _advance(ln, pos, col, 1)
    return pos, col, False


def _rest(ln: str, pos: int, col: int, partial: bool) -> str:
    """The line from ``pos`` on, the unconsumed part of a split tab written as spaces."""
    if partial:
        return " " * (4 - col % 4) + ln[pos + 1 :]
    return ln[pos:]


def _is_thematic_break(ln: str, nn: int) -> bool:
    char = ln[nn]
    if ln.count(char, nn) < 3:
        return False
    return not ln[nn:].strip(char + " \t")
