"""The notebook as plain data: cells, frontmatter, and where each came from in the source."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NewType

__all__ = [
    "Cell",
    "CellId",
    "CellKind",
    "CellOutput",
    "DocumentId",
    "ExecutionSummary",
    "Fence",
    "Frontmatter",
    "Notebook",
    "Origin",
    "Span",
]

CellId = NewType("CellId", str)
DocumentId = NewType("DocumentId", str)


class CellKind(enum.IntEnum):
    """Same numbers as Runme's ``CellKind`` (and VS Code's)."""

    MARKUP = 1
    CODE = 2


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of byte offsets into the source file."""

    start: int
    """Offset of the first byte."""
    end: int
    """Offset one past the last byte."""


@dataclass(frozen=True, slots=True)
class CellOutput:
    """One item a cell produced when it ran, kept so it can be written into a session file."""

    mime: str
    """MIME type, e.g. ``text/plain`` or ``application/vnd.code.notebook.stdout``."""
    data: bytes
    """The raw output."""


@dataclass(frozen=True, slots=True)
class ExecutionSummary:
    """How the last run of a cell ended."""

    exit_code: int | None
    """The process exit code, ``None`` when unknown."""
    start_ms: int | None = None
    """Start time, milliseconds since the epoch."""
    end_ms: int | None = None
    """End time, milliseconds since the epoch."""


@dataclass(slots=True)
class Fence:
    """How an original code cell was written, so an edit can keep its shape."""

    indented: bool
    """An indented (unfenced) code block rather than a fenced one."""
    opening: str
    """The opening fence line without its line ending (empty for indented code)."""
    marker_at: int
    """Index in ``opening`` where the fence characters start (what precedes is container prefix)."""
    marker: str
    """The fence characters, e.g. ``````` or ``~~~~``."""
    closing: str | None
    """The closing fence line without its line ending; ``None`` when the fence was never closed."""
    body_prefix: str
    """What precedes each body line: container prefix plus the fence's own indentation."""
    label: str = ""
    """Runme's Dagger label line (``### Exported in runme.dev as <name>``), kept out of the value."""


@dataclass(slots=True)
class Origin:
    """Where a cell came from, so that an unchanged cell is written back byte for byte.

    Written once by the parser and never changed (not frozen only because frozen dataclasses cost
    five times as much to build, and a large file has one of these per cell)."""

    ordinal: int
    """The cell's position in the parsed document."""
    last: bool
    """It was the document's last cell (its ``trailing`` is the end of the file)."""
    text: str
    """The cell's own source text, up to the end of its last line (line ending excluded)."""
    trailing: str
    """Everything after ``text`` up to the next cell: line ending and blank lines."""
    value: str
    language: str
    attributes: tuple[tuple[str, str], ...]
    """The attributes as parsed, to detect an edit."""
    first_prefix: str
    """Container prefix of the first line (``> `` in a block quote), outside ``value``."""
    rest_prefix: str
    """Container prefix for the following lines."""
    eol: str
    """The line ending the cell was written with."""
    fence: Fence | None = None
    """For code cells: how the fence was written."""
    info_language: str = ""
    """The language word as written in the info string."""
    info_rest: str = ""
    """The info string after the language word, attributes included, as written."""
    attribute_format: str = "json"
    """``json`` or ``html``: the style the attributes were written in."""
    attribute_span: tuple[int, int] | None = None
    """Where the attribute block ``{...}`` sits in ``info_rest``."""
    typed_values: tuple[tuple[str, Any], ...] = ()
    """Original JSON attribute values that were not strings (``true``, ``3``), to write them back."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: a code block or a piece of prose."""

    kind: CellKind
    value: str
    """Code: the body without fences (``$`` prompts kept). Markup: the Markdown text."""
    language: str = ""
    """The info string's language word, ``""`` if none."""
    attributes: Mapping[str, str] = field(default_factory=dict)
    """User attributes from the info string, every value a string (Runme's rule)."""
    id: CellId | None = None
    """The cell's identity: the ``id`` attribute if it is a valid ULID, else ephemeral."""
    name: str = ""
    """Explicit ``name`` attribute or a name generated from the first command (code cells)."""
    name_generated: bool = False
    description: str = ""
    """Text of the paragraph just before a code cell, as Runme shows it in ``list``."""
    span: Span | None = None
    """Byte range of the cell in the source (its own text, not the blank lines after it)."""
    text_range: Span | None = None
    """Byte range of a code cell's body lines, as Runme's ``TextRange``."""
    outputs: tuple[CellOutput, ...] = ()
    summary: ExecutionSummary | None = None
    origin: Origin | None = field(default=None, repr=False, compare=False)
    """Set by the parser; ``None`` for a cell created in memory."""

    @property
    def is_code(self) -> bool:
        return self.kind == CellKind.CODE

    @property
    def fenced(self) -> bool:
        return not (self.origin and self.origin.fence and self.origin.fence.indented)

    @property
    def lines(self) -> list[str]:
        """Body lines as Runme runs and names them: leading ``$`` removed, right-trimmed."""
        return [line.lstrip("$").rstrip() for line in self.value.split("\n")] if self.value else []

    def attribute(self, key: str, default: str = "") -> str:
        return self.attributes.get(key, default)

    def flag(self, key: str, default: bool = False) -> bool:
        """An attribute read as a boolean the way Go's ``strconv.ParseBool`` does."""
        return parse_bool(self.attributes.get(key), default)

    def with_value(self, value: str) -> Cell:
        return replace(self, value=value)

    def with_attributes(self, **changes: str | None) -> Cell:
        """Set (or, with ``None``, remove) attributes; keeps the rest and their order."""
        attrs = dict(self.attributes)
        for key, val in changes.items():
            if val is None:
                attrs.pop(key, None)
            else:
                attrs[key] = val
        return replace(self, attributes=attrs)

    @property
    def changed(self) -> bool:
        """True when the cell differs from what the parser read (or is new)."""
        o = self.origin
        if o is None:
            return True
        if self.value != o.value or self.language != o.language:
            return True
        if tuple(self.attributes.items()) == o.attributes:  # the common case: untouched
            return False
        return persisted(self.attributes) != persisted(dict(o.attributes))


def persisted(attributes: Mapping[str, str]) -> dict[str, str]:
    """The attributes that are written to the file (not ``_private``, ``runme.dev/...`` or ``index``)."""
    return {
        k: v
        for k, v in attributes.items()
        if k and not k.startswith(("_", "runme.dev")) and k != "index"
    }


_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def parse_bool(text: str | None, default: bool) -> bool:
    """Go's ``strconv.ParseBool``: anything else means ``default``."""
    value = bool_or_none(text)
    return default if value is None else value


def bool_or_none(text: str | None) -> bool | None:
    """``True``/``False`` for what Go's ``strconv.ParseBool`` accepts, else ``None``."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


@dataclass(frozen=True, slots=True)
class Frontmatter:
    """The document's frontmatter, kept as written."""

    raw: str
    """The frontmatter text from the opening to the closing delimiter line, without final line end."""
    format: str
    """``yaml``, ``toml`` or ``json``."""
    data: Mapping[str, Any] | None
    """Parsed content; ``None`` when it does not parse (the raw text is kept as is)."""
    error: str | None = None
    """Why it did not parse, with its line."""

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if self.data else default

    @property
    def shell(self) -> str:
        return str(self.get("shell") or "")

    @property
    def cwd(self) -> str:
        return str(self.get("cwd") or "")

    @property
    def skip_prompts(self) -> bool:
        value = self.get("skipPrompts")
        return value is True or (isinstance(value, str) and parse_bool(value, False))

    @property
    def tags(self) -> list[str]:
        found = []
        for key in ("category", "tag"):
            value = self.get(key)
            if isinstance(value, str):
                found.extend(t.strip() for t in value.split(",") if t.strip())
        return found

    @property
    def runme(self) -> Mapping[str, Any]:
        value = self.get("runme")
        return value if isinstance(value, Mapping) else {}

    @property
    def document_id(self) -> str:
        value = self.runme.get("id")
        return value if isinstance(value, str) else ""

    @property
    def session_id(self) -> str:
        session = self.runme.get("session")
        if isinstance(session, Mapping) and isinstance(session.get("id"), str):
            return session["id"]
        return ""


@dataclass(frozen=True, slots=True)
class Notebook:
    """A parsed Markdown file: its cells and frontmatter, and what it takes to write it back."""

    cells: tuple[Cell, ...]
    frontmatter: Frontmatter | None = None
    bom: bool = False
    """The file started with a UTF-8 byte order mark."""
    head: str = ""
    """Text between the frontmatter (or the start) and the first cell: usually blank lines."""
    eol: str = "\n"
    """The line ending most of the file uses; new text is written with it."""
    final_eol: bool = True
    """The original file ended with a line ending (new trailing cells keep that choice)."""
    source_frontmatter: str | None = field(default=None, repr=False, compare=False)
    """The frontmatter text as read, to know whether it was changed."""

    @property
    def code_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.is_code]

    @property
    def document_id(self) -> str:
        return self.frontmatter.document_id if self.frontmatter else ""

    def with_cells(self, cells: list[Cell] | tuple[Cell, ...]) -> Notebook:
        return replace(self, cells=tuple(cells))

    def replace_cell(self, index: int, cell: Cell) -> Notebook:
        cells = list(self.cells)
        cells[index] = cell
        return self.with_cells(cells)

    def insert_cells(self, index: int, new: list[Cell]) -> Notebook:
        cells = list(self.cells)
        cells[index:index] = new
        return self.with_cells(cells)

    def delete_cell(self, index: int) -> Notebook:
        cells = list(self.cells)
        del cells[index]
        return self.with_cells(cells)

    def find(self, cell_id: str) -> int:
        """Index of the cell with this id, or -1."""
        for i, cell in enumerate(self.cells):
            if cell.id == cell_id:
                return i
        return -1
