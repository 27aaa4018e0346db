"""Notebooks ⇄ Runme's ``runme.parser.v1`` messages. The only place that knows both shapes."""

from __future__ import annotations

import re
from dataclasses import replace

from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost.notebook import Cell, CellId, CellKind, CellOutput, ExecutionSummary, Notebook
from waypost.notebook.frontmatter import parse_frontmatter
from waypost.notebook.jsonview import cell_metadata
from waypost.notebook.merge import IncomingCell, rebase

__all__ = [
    "cell_from_proto",
    "cell_to_proto",
    "incoming_cells",
    "notebook_from_proto",
    "notebook_to_proto",
    "suggestion_to_proto",
]

CACHE_ID = "runme.dev/cacheId"
FRONTMATTER = "runme.dev/frontmatter"
FINAL_LINE_BREAKS = "runme.dev/finalLineBreaks"


def final_line_breaks(source: bytes) -> int:
    match = re.search(rb"(?:\r\n|\n)*\Z", source)
    tail = match.group(0) if match else b""
    return tail.count(b"\n")


def cell_to_proto(cell: Cell) -> pb.Cell:
    message = pb.Cell(
        kind=pb.CELL_KIND_CODE if cell.is_code else pb.CELL_KIND_MARKUP,
        value=cell.value,
        language_id=cell.language,
    )
    if cell.is_code:
        message.metadata.update(cell_metadata(cell))
        if cell.text_range is not None:
            message.text_range.start = cell.text_range.start
            message.text_range.end = cell.text_range.end
    else:
        message.metadata.update({k: v for k, v in cell.attributes.items() if k.startswith("_")})
    return message


def notebook_to_proto(notebook: Notebook, source: bytes, cache_id: str) -> pb.Notebook:
    message = pb.Notebook(cells=[cell_to_proto(c) for c in notebook.cells])
    message.metadata[FINAL_LINE_BREAKS] = str(final_line_breaks(source))
    message.metadata[CACHE_ID] = cache_id
    message.metadata["runme.dev/id"] = cache_id
    fm = notebook.frontmatter
    if fm is not None:
        message.metadata[FRONTMATTER] = fm.raw
        message.frontmatter.shell = fm.shell
        message.frontmatter.cwd = fm.cwd
        message.frontmatter.skip_prompts = fm.skip_prompts
        for key, field_name in (
            ("category", "category"),
            ("tag", "tag"),
            ("terminalRows", "terminal_rows"),
        ):
            value = fm.get(key)
            if isinstance(value, str | int):
                setattr(message.frontmatter, field_name, str(value))
        runme = fm.runme
        if runme:
            message.frontmatter.runme.id = str(runme.get("id") or "")
            message.frontmatter.runme.version = str(runme.get("version") or "")
            if fm.session_id:
                message.frontmatter.runme.session.id = fm.session_id
    return message


def incoming_cells(message: pb.Notebook) -> list[IncomingCell]:
    cells = []
    for cell in message.cells:
        if cell.kind not in (pb.CELL_KIND_MARKUP, pb.CELL_KIND_CODE):
            continue  # tool calls and search results are not part of the file
        metadata = dict(cell.metadata)
        ident = metadata.get("runme.dev/id") or metadata.get("id") or ""
        attributes = {k: v for k, v in metadata.items() if not k.startswith("runme.dev/")}
        kind = CellKind.CODE if cell.kind == pb.CELL_KIND_CODE else CellKind.MARKUP
        cells.append(IncomingCell(kind, cell.value, cell.language_id, attributes, ident))
    return cells


def _outputs(cell: pb.Cell) -> tuple[tuple[CellOutput, ...], ExecutionSummary | None]:
    outputs = []
    exit_code: int | None = None
    for output in cell.outputs:
        outputs.extend(CellOutput(item.mime, item.data) for item in output.items)
        reason = output.process_info.exit_reason
        if reason.type == "exit" and reason.HasField("code"):
            exit_code = reason.code.value
    summary = None
    if cell.HasField("execution_summary"):
        timing = cell.execution_summary.timing
        start = timing.start_time.value if timing.HasField("start_time") else None
        end = timing.end_time.value if timing.HasField("end_time") else None
        summary = ExecutionSummary(exit_code, start, end)
    elif exit_code is not None:
        summary = ExecutionSummary(exit_code)
    return tuple(outputs), summary


def notebook_from_proto(message: pb.Notebook, cached: Notebook | None) -> Notebook:
    """The notebook to write: the client's cells on top of the cached parse when there is one."""
    incoming = incoming_cells(message)
    base = cached if cached is not None else Notebook(cells=())
    notebook = rebase(base, incoming)
    raw = message.metadata.get(FRONTMATTER)
    if raw is not None and (notebook.frontmatter is None or notebook.frontmatter.raw != raw):
        fmt = "toml" if raw.startswith("+++") else "json" if raw.startswith("{") else "yaml"
        notebook = replace(notebook, frontmatter=parse_frontmatter(raw, fmt))
    elif raw is None and cached is None:
        notebook = replace(notebook, frontmatter=None)
    code_messages = [c for c in message.cells if c.kind in (pb.CELL_KIND_MARKUP, pb.CELL_KIND_CODE)]
    cells = list(notebook.cells)
    for i, cell_message in enumerate(code_messages):
        if i < len(cells) and cell_message.outputs:
            outputs, summary = _outputs(cell_message)
            cells[i] = replace(cells[i], outputs=outputs, summary=summary)
    return notebook.with_cells(cells)


def cell_from_proto(message: pb.Cell) -> Cell:
    """A cell as the AI sees it: value, language, attributes, id and text outputs."""
    metadata = dict(message.metadata)
    ident = metadata.get("runme.dev/id") or metadata.get("id") or ""
    attributes = {k: v for k, v in metadata.items() if not k.startswith("runme.dev/")}
    outputs, summary = _outputs(message)
    kind = CellKind.CODE if message.kind == pb.CELL_KIND_CODE else CellKind.MARKUP
    return Cell(
        kind, message.value, language=message.language_id, attributes=attributes,
        id=CellId(ident) if ident else None, outputs=outputs, summary=summary,
    )  # fmt: skip


def suggestion_to_proto(cell: Cell, *, ghost: bool) -> pb.Cell:
    """A generated cell for Runme: its id in ``id`` and ``runme.dev/id``; ghost cells flagged."""
    message = pb.Cell(
        kind=pb.CELL_KIND_CODE if cell.is_code else pb.CELL_KIND_MARKUP,
        value=cell.value,
        language_id=cell.language if cell.is_code else "markdown",
    )
    ident = cell.id or ""
    metadata = {k: v for k, v in cell.attributes.items() if not k.startswith("_")}
    metadata.update({"id": ident, "runme.dev/id": ident})
    if ghost:
        metadata["_ghostCell"] = "true"
        metadata["_ghostCellKind"] = "CODE" if cell.is_code else "MARKDOWN"
    message.metadata.update(metadata)
    return message
