"""Markdown bytes → Notebook, splitting cells the way Runme does and remembering every byte.

Top-level blocks become cells: each code block a code cell, each other block a markup cell. A list
or block quote holding code is opened up: its items and paragraphs become markup cells of their own
and its code blocks code cells. Every cell records its source text and the blank lines after it, so
the serializer can give back the file unchanged.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from waypost.errors import BinaryFileError, EncodingError
from waypost.notebook.attributes import InfoString, parse_info
from waypost.notebook.blocks import Block, LineIndex
from waypost.notebook.frontmatter import split_frontmatter
from waypost.notebook.identity import is_valid_ulid, new_ulids
from waypost.notebook.model import (
    Cell,
    CellId,
    CellKind,
    Fence,
    Notebook,
    Origin,
    Span,
    bool_or_none,
)
from waypost.notebook.naming import NameCounter, describe, generate_name
from waypost.notebook.scanner import scan

__all__ = ["decode", "parse"]

_LABEL = "### Exported in runme.dev as "
"""Runme writes this first line into cells of Dagger notebooks; it is not part of the code."""
_BQ = re.compile(r" {0,3}>[ \t]?")
_ITEM = re.compile(r"( {0,3})([-+*]|\d{1,9}[.)])([ \t]*)")


def decode(data: bytes | str, *, where: str | None = None) -> str:
    """UTF-8 text of a file, or a clear error saying why it is not a runbook."""
    if isinstance(data, str):
        nul = data.find("\0")
        text = data
    else:
        nul = data.find(b"\0")
        text = ""
        if nul == -1:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data.count(b"\n", 0, exc.start) + 1
                raise EncodingError(
                    f"line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                    f"{exc.start})",
                    where=where,
                ) from exc
    if nul != -1:
        raise BinaryFileError(f"binary data, not Markdown (NUL byte at offset {nul})", where=where)
    return text


def parse(
    data: bytes | str,
    *,
    where: str | None = None,
    make_ids: Callable[[int], list[str]] = new_ulids,
) -> Notebook:
    """Parse a Markdown document. ``where`` (a path) only names the file in errors."""
    text = decode(data, where=where)
    with _no_gc():
        return _parse(text, make_ids)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Parsing allocates a few objects per line and frees none: collection passes only cost time
    (about a third of the parse of a large file)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse(text: str, make_ids: Callable[[int], list[str]]) -> Notebook:
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    frontmatter, content_start = split_frontmatter(text)
    content = text[content_start:]
    lines = LineIndex(content)
    drafts = _CellBuilder(lines).build(scan(content))
    base = _byte_len(text[:content_start]) + (3 if bom else 0)
    cells = _Finisher(lines, content, base, make_ids(len(drafts))).cells(drafts)
    head_end = lines.start(drafts[0].start) if drafts else len(content)
    return Notebook(
        cells=tuple(cells),
        frontmatter=frontmatter,
        bom=bom,
        head=content[:head_end],
        eol=_dominant_eol(text),
        final_eol=text.endswith(("\n", "\r")),
        source_frontmatter=frontmatter.raw if frontmatter else None,
    )


def _byte_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _dominant_eol(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


@dataclass(slots=True)
class _Frame:
    """One enclosing container of a block: a block quote, or a list item with its content indent."""

    kind: str
    start: int
    width: int = 0


@dataclass(slots=True)
class _Draft:
    """A cell before ids, names and byte offsets are known."""

    kind: CellKind
    start: int
    end: int
    value: str
    first_prefix: str
    rest_prefix: str
    block: Block | None = None
    info: InfoString | None = None
    intro: str = ""


class _CellBuilder:
    """Walks the block tree and decides what becomes a cell (Runme's splitting rules)."""

    def __init__(self, lines: LineIndex) -> None:
        self.lines = lines
        self.drafts: list[_Draft] = []

    def build(self, blocks: list[Block]) -> list[_Draft]:
        self._children(blocks, [])
        return self.drafts

    def _children(self, blocks: list[Block], chain: list[_Frame]) -> None:
        previous: Block | None = None
        for index, block in enumerate(blocks):
            self._block(block, chain, previous, first_in_item=index == 0)
            previous = block

    def _block(
        self, block: Block, chain: list[_Frame], previous: Block | None, first_in_item: bool
    ) -> None:
        kind = block.kind
        if kind == "list":
            if not block.contains_code():
                self._markup(block, chain)
                return
            for item in block.children:
                if item.contains_code():
                    frame = _Frame("item", item.start, self._item_width(item, chain))
                    self._children(item.children, [*chain, frame])
                else:
                    self._markup(item, chain)
        elif kind == "blockquote":
            if block.contains_code():
                self._children(block.children, [*chain, _Frame("bq", block.start)])
            else:
                self._markup(block, chain)
        elif kind in ("fence", "code"):
            info = parse_info(block.info) if kind == "fence" else None
            if info is not None and _ignored(info):
                self._markup(block, chain)
                return
            intro = ""
            if previous is not None and previous.kind == "paragraph":
                intro = describe(self._paragraph_text(previous, chain))
            self._code(block, info, chain, intro)
        elif (
            first_in_item and chain and chain[-1].kind == "item" and chain[-1].start == block.start
        ):
            self._markup(block, chain[:-1], item=chain[-1])  # keeps the list marker: "1. Item"
        else:
            self._markup(block, chain)

    # -- container prefixes -------------------------------------------------------------------

    def _item_width(self, item: Block, chain: list[_Frame]) -> int:
        """Columns of an item's content indent: marker plus 1-4 spaces (1 if more, or blank)."""
        _, rest = self._strip(item.start, chain)
        match = _ITEM.match(rest)
        if not match:
            return 2
        lead, marker, spaces = match.groups()
        if not rest[match.end() :].strip() or len(spaces.expandtabs(4)) > 4:
            return len(lead) + len(marker) + 1
        return len(lead) + len(marker) + len(spaces)

    def _strip(self, number: int, chain: list[_Frame]) -> tuple[str, str]:
        """Split a line into its container prefix and the rest (lazy lines lose what they lack)."""
        line = self.lines.line(number)
        if not chain:
            return "", line
        pos = 0
        for frame in chain:
            if frame.kind == "bq":
                match = _BQ.match(line, pos)
                if match:
                    pos = match.end()
                continue
            limit = pos + frame.width
            while pos < limit and pos < len(line) and line[pos] in " \t":
                pos += 1
            if number == frame.start:
                match = _ITEM.match(line, pos)
                if match:
                    pos = max(pos, min(limit, match.end()))
        return line[:pos], line[pos:]

    @staticmethod
    def _rest_prefix(chain: list[_Frame]) -> str:
        return "".join("> " if frame.kind == "bq" else " " * frame.width for frame in chain)

    def _text(self, start: int, end: int) -> str:
        """Top-level lines as one string with ``\\n`` endings (no prefixes to strip)."""
        lines = self.lines
        text = lines.text[lines.start(start) : lines.end_of_line(end - 1)]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text

    def _paragraph_text(self, block: Block, chain: list[_Frame]) -> str:
        if not chain:
            raw = self._text(block.start, block.end)
            return "\n".join(line.lstrip() for line in raw.split("\n")).rstrip()
        parts = [self._strip(n, chain)[1].lstrip() for n in range(block.start, block.end)]
        return "\n".join(parts).rstrip()

    # -- cells --------------------------------------------------------------------------------

    def _markup(self, block: Block, chain: list[_Frame], item: _Frame | None = None) -> None:
        start, end = block.start, block.end
        if not chain and item is None:
            if block.kind in ("list", "blockquote", "item"):
                end = self._last_content_line(start, end, chain)
            self.drafts.append(_Draft(CellKind.MARKUP, start, end, self._text(start, end), "", ""))
            return
        end = self._last_content_line(start, end, chain)
        parts = []
        first_prefix = ""
        for number in range(start, end):
            prefix, rest = self._strip(number, chain)
            if number == start:
                first_prefix = prefix
            parts.append(rest)
        value = "\n".join(parts)
        rest_prefix = self._rest_prefix([*chain, item] if item else chain)
        if item is not None:
            stripped = value.lstrip(" ")
            first_prefix += value[: len(value) - len(stripped)]
            value = stripped
        self.drafts.append(_Draft(CellKind.MARKUP, start, end, value, first_prefix, rest_prefix))

    def _last_content_line(self, start: int, end: int, chain: list[_Frame]) -> int:
        """Containers may end with blank lines; those belong to the gap after the cell."""
        while end - 1 > start and not self._strip(end - 1, chain)[1].strip():
            end -= 1
        return end

    def _code(self, block: Block, info: InfoString | None, chain: list[_Frame], intro: str) -> None:
        prefix = self._strip(block.start, chain)[0] if chain else ""
        content = block.content
        value = content[:-1] if content.endswith("\n") else content
        self.drafts.append(
            _Draft(
                CellKind.CODE, block.start, block.end, value, prefix, self._rest_prefix(chain),
                block, info, intro,
            )
        )  # fmt: skip


def _lines(value: str) -> list[str]:
    """A cell's lines as Runme names it: ``$`` prompts and trailing blanks removed."""
    return [line.lstrip("$").rstrip() for line in value.split("\n")] if value else []


def _ignored(info: InfoString) -> bool:
    """Runme leaves ``transform:false``, ``ignore:true`` and ``mermaid`` blocks as prose."""
    transform = bool_or_none(info.attributes.get("transform"))
    if transform is not None:
        return not transform
    ignore = bool_or_none(info.attributes.get("ignore"))
    if ignore is not None:
        return ignore
    return info.language == "mermaid"


class _Finisher:
    """Turns drafts into cells: source text and gaps, byte offsets, ids and names."""

    def __init__(self, lines: LineIndex, content: str, byte_base: int, ids: list[str]) -> None:
        self.lines = lines
        self.content = content
        self.byte_base = byte_base
        self.ids = ids
        self.names = NameCounter()
        self.ascii = content.isascii()
        self._char = 0
        self._byte = byte_base

    def to_bytes(self, offset: int) -> int:
        """Byte offset of a character offset of the content (walks, so call in rising order)."""
        if self.ascii:
            return self.byte_base + offset
        if offset >= self._char:
            self._byte += len(self.content[self._char : offset].encode("utf-8"))
        else:
            self._byte -= len(self.content[offset : self._char].encode("utf-8"))
        self._char = offset
        return self._byte

    def cells(self, drafts: list[_Draft]) -> list[Cell]:
        lines, content = self.lines, self.content
        cells = []
        last = len(drafts) - 1
        for i, draft in enumerate(drafts):
            start = lines.start(draft.start)
            end = lines.end_of_line(draft.end - 1)
            next_start = lines.start(drafts[i + 1].start) if i < last else len(content)
            eol = (
                "\n"
                if not lines.cr
                else (lines.ending(draft.start) or lines.ending(draft.end - 1) or "\n")
            )
            text = content[start:end]
            trailing = content[end:next_start]
            if draft.kind == CellKind.MARKUP:
                span = Span(self.to_bytes(start), self.to_bytes(end))
                origin = Origin(
                    i, i == last, text, trailing, draft.value, "", (), draft.first_prefix,
                    draft.rest_prefix, eol,
                )  # fmt: skip
                cells.append(
                    Cell(CellKind.MARKUP, draft.value, id=CellId(self.ids[i]), span=span,
                         origin=origin)
                )  # fmt: skip
            else:
                cells.append(self._code(draft, i, i == last, start, end, text, trailing, eol))
        return cells

    def _code(
        self, draft: _Draft, index: int, is_last: bool, start: int, end: int, text: str,
        trailing: str, eol: str,
    ) -> Cell:  # fmt: skip
        block = draft.block
        assert block is not None
        lines = self.lines
        span_start = self.to_bytes(start)
        value = draft.value
        if block.kind == "code":
            info = parse_info("")
            fence = Fence(True, "", 0, "", None, draft.rest_prefix + "    ")
            body_first, body_last = draft.start, draft.end - 1
        else:
            info = draft.info or parse_info(block.info)
            opening = lines.line(draft.start)
            marker_at = opening.index(block.marker[0], len(draft.first_prefix))
            label = ""
            if value.startswith(_LABEL):
                label, _, value = value.partition("\n")
            indent = " " * (marker_at - len(draft.first_prefix))
            closing = lines.line(draft.end - 1) if block.closed else None
            fence = Fence(
                False, opening, marker_at, block.marker, closing, draft.rest_prefix + indent, label
            )
            body_first = draft.start + 1 + (1 if label else 0)
            body_last = draft.end - 2 if block.closed else draft.end - 1
        text_range = None
        if body_first <= body_last:
            text_range = Span(
                self.to_bytes(lines.start(body_first)), self.to_bytes(lines.end_of_line(body_last))
            )
        span = Span(span_start, self.to_bytes(end))
        attrs = info.attributes
        explicit = attrs.get("name", "")
        persisted = attrs.get("id", "")
        origin = Origin(
            index, is_last, text, trailing, value, info.language, tuple(attrs.items()),
            draft.first_prefix, draft.rest_prefix, eol, fence, info.language_text, info.rest,
            info.format, info.span, tuple(info.typed.items()),
        )  # fmt: skip
        return Cell(
            CellKind.CODE,
            value,
            language=info.language,
            attributes=attrs,
            id=CellId(persisted if is_valid_ulid(persisted) else self.ids[index]),
            name=self.names.claim(explicit or generate_name(_lines(value))),
            name_generated=not explicit,
            description=draft.intro,
            span=span,
            text_range=text_range,
            origin=origin,
        )
