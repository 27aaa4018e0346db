"""Markdown bytes → Notebook, splitting cells the way Runme does and remembering every byte.

Top-level blocks become cells: each code block a code cell, each other block a markup cell. A list
or block quote holding code is opened up: its items and paragraphs become markup cells of their own
and its code blocks code cells. Every cell records its source text and the blank lines after it, so
the serializer can give back the file unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from waypost.errors import BinaryFileError, EncodingError
from waypost.notebook.attributes import InfoString, parse_info
from waypost.notebook.blocks import Block, LineIndex
from waypost.notebook.frontmatter import split_frontmatter
from waypost.notebook.identity import is_valid_ulid, new_ulid
from waypost.notebook.model import Cell, CellId, CellKind, Fence, Notebook, Origin, Span
from waypost.notebook.naming import NameCounter, describe, generate_name
from waypost.notebook.scanner import scan

__all__ = ["decode", "parse"]


def decode(data: bytes | str, *, where: str | None = None) -> str:
    """UTF-8 text of a file, or a clear error saying why it is not a runbook."""
    if isinstance(data, str):
        text = data
        nul = text.find("\0")
    else:
        nul = data.find(b"\0")
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
        text = ""
    if nul != -1:
        raise BinaryFileError(f"binary data, not Markdown (NUL byte at offset {nul})", where=where)
    return text


def parse(
    data: bytes | str,
    *,
    where: str | None = None,
    make_id: Callable[[], str] = new_ulid,
) -> Notebook:
    """Parse a Markdown document. ``where`` (a path) only names the file in errors."""
    text = decode(data, where=where)
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    frontmatter, content_start = split_frontmatter(text)
    content = text[content_start:]
    lines = LineIndex(content)
    drafts = _CellBuilder(lines).build(scan(content))
    eol = _dominant_eol(text)
    cells = _finish(
        drafts, lines, content, make_id, byte_base=_byte_len(text[:content_start]) + 3 * bom
    )
    head_end = lines.start(drafts[0].start) if drafts else len(content)
    return Notebook(
        cells=tuple(cells),
        frontmatter=frontmatter,
        bom=bom,
        head=content[:head_end],
        eol=eol,
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
    kind: CellKind
    start: int
    end: int
    value: str
    first_prefix: str
    rest_prefix: str
    block: Block | None = None
    intro: str = ""
    info: InfoString | None = None


_BQ = re.compile(r" {0,3}>[ \t]?")
_LINE_BREAK = re.compile(r"\r\n?")
_ITEM = re.compile(r"( {0,3})([-+*]|\d{1,9}[.)])([ \t]*)")


class _CellBuilder:
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
                frame = _Frame("item", item.start, self._item_width(item, chain))
                if item.contains_code():
                    self._children(item.children, [*chain, frame])
                else:
                    self._markup(item, chain)
            return
        if kind == "blockquote":
            if block.contains_code():
                self._children(block.children, [*chain, _Frame("bq", block.start)])
            else:
                self._markup(block, chain)
            return
        info = parse_info(block.info) if kind == "fence" else None
        if kind in ("fence", "code") and not _ignored(info):
            intro = ""
            if previous is not None and previous.kind == "paragraph":
                intro = describe(self._paragraph_text(previous, chain))
            self._code(block, chain, intro, info)
            return
        keep_marker = (
            first_in_item and chain and chain[-1].kind == "item" and chain[-1].start == block.start
        )
        self._markup(
            block, chain[:-1] if keep_marker else chain, item=chain[-1] if keep_marker else None
        )

    # -- prefixes ---------------------------------------------------------------------------

    def _item_width(self, item: Block, chain: list[_Frame]) -> int:
        _, rest = self._strip(item.start, chain)
        match = _ITEM.match(rest)
        if not match:
            return 2
        lead, marker, spaces = match.groups()
        after = rest[match.end() :]
        if not after.strip() or len(spaces.expandtabs(4)) > 4:
            return len(lead) + len(marker) + 1
        return len(lead) + len(marker) + len(spaces)

    def _strip(self, number: int, chain: list[_Frame]) -> tuple[str, str]:
        """Split a line into the container prefix and the rest."""
        line = self.lines.line(number)
        if not chain:
            return "", line
        pos = 0
        for frame in chain:
            if frame.kind == "bq":
                match = _BQ.match(line, pos)
                if match:
                    pos = match.end()
            else:
                limit = pos + frame.width
                while pos < limit and pos < len(line) and line[pos] in " \t":
                    pos += 1
                if number == frame.start:
                    match = _ITEM.match(line, pos)
                    pos = max(pos, min(limit, match.end()) if match else pos)
        return line[:pos], line[pos:]

    @staticmethod
    def _rest_prefix(chain: list[_Frame]) -> str:
        if not chain:
            return ""
        return "".join("> " if frame.kind == "bq" else " " * frame.width for frame in chain)

    def _lines_value(self, block: Block, chain: list[_Frame]) -> tuple[str, str]:
        if not chain:  # the lines as they are, with "\n" endings
            lines = self.lines
            value = lines.text[lines.start(block.start) : lines.end_of_line(block.end - 1)]
            return (_LINE_BREAK.sub("\n", value) if "\r" in value else value), ""
        parts = []
        first_prefix = ""
        for number in range(block.start, block.end):
            prefix, rest = self._strip(number, chain)
            if number == block.start:
                first_prefix = prefix
            parts.append(rest)
        return "\n".join(parts), first_prefix

    def _paragraph_text(self, block: Block, chain: list[_Frame]) -> str:
        parts = [self._strip(n, chain)[1].lstrip() for n in range(block.start, block.end)]
        return "\n".join(parts).rstrip()

    # -- cells --------------------------------------------------------------------------------

    def _markup(self, block: Block, chain: list[_Frame], item: _Frame | None = None) -> None:
        end = block.end
        while end - 1 > block.start and not self._strip(end - 1, chain)[1].strip():
            end -= 1  # containers may end with blank lines; those belong to the gap after the cell
        if end != block.end:
            block = Block(block.kind, block.start, end)
        value, first_prefix = self._lines_value(block, chain)
        rest_chain = [*chain, item] if item else chain
        if item is not None:
            stripped = value.lstrip(" ")
            first_prefix += value[: len(value) - len(stripped)]
            value = stripped
        self.drafts.append(
            _Draft(
                CellKind.MARKUP,
                block.start,
                block.end,
                value,
                first_prefix,
                self._rest_prefix(rest_chain),
            )
        )

    def _code(self, block: Block, chain: list[_Frame], intro: str, info: InfoString | None) -> None:
        prefix, _ = self._strip(block.start, chain)
        value = block.content[:-1] if block.content.endswith("\n") else block.content
        self.drafts.append(
            _Draft(
                CellKind.CODE,
                block.start,
                block.end,
                value,
                prefix,
                self._rest_prefix(chain),
                block,
                intro,
                info,
            )
        )


def _ignored(info: InfoString | None) -> bool:
    """Runme leaves ``transform:false``, ``ignore:true`` and ``mermaid`` blocks as prose."""
    if info is None:
        return False
    for key, ignored_when in (("transform", False), ("ignore", True)):
        value = info.attributes.get(key)
        if value in ("1", "t", "T", "TRUE", "true", "True"):
            return ignored_when is True
        if value in ("0", "f", "F", "FALSE", "false", "False"):
            return ignored_when is False
    return info.language == "mermaid"


def _finish(
    drafts: list[_Draft],
    lines: LineIndex,
    content: str,
    make_id: Callable[[], str],
    byte_base: int,
) -> list[Cell]:
    names = NameCounter()
    cells = []
    byte_pos = byte_base
    char_pos = 0
    ascii_only = content.isascii()

    def to_bytes(offset: int) -> int:
        nonlocal byte_pos, char_pos
        if ascii_only:
            return byte_base + offset
        if offset >= char_pos:
            byte_pos += len(content[char_pos:offset].encode("utf-8"))
        else:
            byte_pos -= len(content[offset:char_pos].encode("utf-8"))
        char_pos = offset
        return byte_pos

    for i, draft in enumerate(drafts):
        start = lines.start(draft.start)
        end = lines.end_of_line(draft.end - 1)
        next_start = lines.start(drafts[i + 1].start) if i + 1 < len(drafts) else len(content)
        eol = lines.ending(draft.start) or lines.ending(draft.end - 1) or "\n"
        span = Span(to_bytes(start), to_bytes(end))
        text = content[start:end]
        trailing = content[end:next_start]
        if draft.kind == CellKind.MARKUP:
            origin = Origin(
                i,
                i + 1 == len(drafts),
                text,
                trailing,
                draft.value,
                "",
                (),
                draft.first_prefix,
                draft.rest_prefix,
                eol,
            )
            cells.append(
                Cell(CellKind.MARKUP, draft.value, id=CellId(make_id()), span=span, origin=origin)
            )
            continue
        place = (i, i + 1 == len(drafts))
        cells.append(
            _code_cell(draft, lines, place, text, trailing, eol, span, names, make_id, to_bytes)
        )
    return cells


def _code_cell(
    draft: _Draft,
    lines: LineIndex,
    place: tuple[int, bool],
    text: str,
    trailing: str,
    eol: str,
    span: Span,
    names: NameCounter,
    make_id: Callable[[], str],
    to_bytes: Callable[[int], int],
) -> Cell:
    block = draft.block
    assert block is not None
    indented = block.kind == "code"
    if indented:
        info = parse_info("")
        fence = Fence(True, "", 0, "", None, draft.rest_prefix + "    ")
        body_first, body_last = draft.start, draft.end - 1
    else:
        opening = lines.line(draft.start)
        marker_at = opening.index(block.marker[0], len(draft.first_prefix))
        info = draft.info if draft.info is not None else parse_info(block.info)
        closing = lines.line(draft.end - 1) if block.closed else None
        indent = marker_at - len(draft.first_prefix)
        fence = Fence(
            False, opening, marker_at, block.marker, closing, draft.rest_prefix + " " * indent
        )
        body_first = draft.start + 1
        body_last = draft.end - 2 if block.closed else draft.end - 1
    attrs = info.attributes
    explicit = attrs.get("name", "")
    value = draft.value
    cell_lines = [line.lstrip("$").rstrip() for line in value.split("\n")] if value else []
    name = names.claim(explicit or generate_name(cell_lines))
    persisted = attrs.get("id", "")
    text_range = None
    if body_first <= body_last:
        text_range = Span(to_bytes(lines.start(body_first)), to_bytes(lines.end_of_line(body_last)))
    origin = Origin(
        *place,
        text,
        trailing,
        value,
        info.language,
        tuple(attrs.items()),
        draft.first_prefix,
        draft.rest_prefix,
        eol,
        fence,
        info.language_text,
        info.rest,
        info.format,
        info.span,
        tuple(info.typed.items()),
    )
    return Cell(
        CellKind.CODE,
        value,
        language=info.language,
        attributes=attrs,
        id=CellId(persisted if is_valid_ulid(persisted) else make_id()),
        name=name,
        name_generated=not explicit,
        description=draft.intro,
        span=span,
        text_range=text_range,
        origin=origin,
    )
