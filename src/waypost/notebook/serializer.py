"""Notebook → Markdown bytes. Unchanged cells are copied; only what was edited is written anew.

- an unchanged notebook gives back exactly the bytes it was parsed from;
- a cell whose attributes or language changed gets a new info string, nothing else;
- a cell whose body changed gets a new body, in a fence longer than any backtick run inside it;
- inserted cells are separated by a blank line; deleted cells take their trailing blank lines along.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from waypost.notebook.attributes import InfoString, render_info
from waypost.notebook.frontmatter import set_runme_fields
from waypost.notebook.identity import RUNME_VERSION, is_valid_ulid, new_ulid
from waypost.notebook.model import Cell, CellKind, Notebook, Origin, persisted
from waypost.notebook.outputs import render_images, render_outputs

__all__ = ["SerializeOptions", "fence_for", "serialize", "serialize_text", "standalone_fence"]


@dataclass(frozen=True, slots=True)
class SerializeOptions:
    outputs: bool = False
    """Write outputs into the file (Runme's session-output files)."""
    summary: bool = False
    """With outputs: add the ``# Ran on ... exited with N`` line."""
    session_id: str = ""
    """Mark the file as the output of this session (``runme.session.id`` in frontmatter)."""
    relative_path: str = ""
    """With ``session_id``: the runbook the session ran (``runme.document.relativePath``)."""
    updated: str = ""
    """With ``session_id``: when it was saved (``runme.session.updated``)."""


def serialize(notebook: Notebook, options: SerializeOptions | None = None) -> bytes:
    return serialize_text(notebook, options).encode("utf-8")


def serialize_text(notebook: Notebook, options: SerializeOptions | None = None) -> str:
    options = options or SerializeOptions()
    if options.session_id:
        notebook = _with_session(notebook, options)
    eol = notebook.eol
    out = _Writer()
    if notebook.bom:
        out.write("\ufeff")
    if notebook.frontmatter is not None:
        out.write(notebook.frontmatter.raw)
        if notebook.source_frontmatter is None:  # added to a file that had none
            out.write(eol)
            if not notebook.head.startswith(("\n", "\r")):
                out.write(eol)
    out.write(notebook.head)
    previous = -1
    for cell in notebook.cells:
        origin = cell.origin
        if origin is None or origin.ordinal != previous + 1:
            out.ensure_blank_line(eol)
        out.write(_render(cell, eol, options))
        previous = origin.ordinal if origin else -2
    last = notebook.cells[-1] if notebook.cells else None
    if last is not None and (last.origin is None or not last.origin.last):
        out.end_with_one_line_ending(eol)
    return out.text()


def _with_session(notebook: Notebook, options: SerializeOptions) -> Notebook:
    from dataclasses import replace

    fields = {"session.id": options.session_id}
    if options.updated:
        fields["session.updated"] = options.updated
    if options.relative_path:
        fields["document.relativePath"] = options.relative_path
    if not is_valid_ulid(notebook.document_id):
        fields = {"id": new_ulid(), "version": RUNME_VERSION, **fields}
    return replace(
        notebook, frontmatter=set_runme_fields(notebook.frontmatter, fields, notebook.eol)
    )


class _Writer:
    """Collects the output and knows how it ends, to put blank lines only where needed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.tail = ""
        self.started = False
        """Something other than whitespace has been written."""

    def write(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.tail = (self.tail + text)[-16:]
            self.started = self.started or bool(text.strip("\ufeff \t\r\n"))

    def ensure_blank_line(self, eol: str) -> None:
        if not self.started:
            return  # the cell opens the document
        if not self.tail.endswith(("\n", "\r")):
            self.write(eol + eol)
        elif not re.search(r"(\r\n|\n|\r)[ \t]*(\r\n|\n|\r)\Z", self.tail):
            self.write(eol)

    def end_with_one_line_ending(self, eol: str) -> None:
        text = self.text()
        stripped = text.rstrip("\r\n")
        self.parts = [stripped, eol]
        self.tail = (stripped + eol)[-16:]

    def text(self) -> str:
        return "".join(self.parts)


def _render(cell: Cell, eol: str, options: SerializeOptions) -> str:
    origin = cell.origin
    with_outputs = options.outputs and cell.kind == CellKind.CODE and bool(cell.outputs)
    if origin is not None and not cell.changed and not with_outputs:
        return origin.text + origin.trailing
    if origin is None:
        return _render_new(cell, eol, options)
    if cell.kind == CellKind.MARKUP or origin.fence is None:
        body = _prefixed(
            cell.value.split("\n"), origin.first_prefix, origin.rest_prefix, origin.eol
        )
        return body + origin.trailing
    return _render_code(cell, origin, options) + origin.trailing


def _prefixed(lines: list[str], first: str, rest: str, eol: str) -> str:
    out = []
    for i, line in enumerate(lines):
        prefix = first if i == 0 else rest
        out.append((prefix + line) if line else prefix.rstrip())
    return eol.join(out)


def fence_for(body: str, char: str = "`", minimum: int = 3) -> str:
    """A fence longer than any run of its character in the body, so the body cannot close it."""
    longest = max((len(m) for m in re.findall(re.escape(char) + "+", body)), default=0)
    return char * max(minimum, longest + 1)


def _render_code(cell: Cell, origin: Origin, options: SerializeOptions) -> str:
    fence = origin.fence
    assert fence is not None
    eol = origin.eol
    with_outputs = options.outputs and bool(cell.outputs)
    body_changed = cell.value != origin.value or with_outputs
    if fence.indented:
        if not body_changed:
            return origin.text
        lines = cell.value.split("\n") if cell.value else []
        return _prefixed(lines, origin.first_prefix + "    ", fence.body_prefix, eol)
    marker = fence.marker
    needed = marker
    if body_changed and marker[0] == "`":
        needed = fence_for(cell.value, "`", len(marker))
    opening = fence.opening
    info_changed = cell.language != origin.language or persisted(cell.attributes) != persisted(
        dict(origin.attributes)
    )
    if info_changed or needed != marker:
        original = InfoString(
            language=origin.language,
            attributes=dict(origin.attributes),
            format=origin.attribute_format,
            language_text=origin.info_language,
            rest=origin.info_rest,
            span=origin.attribute_span,
            typed=dict(origin.typed_values),
        )
        language = cell.language if cell.language != origin.language else origin.info_language
        info = render_info(language, dict(cell.attributes), original=original)
        after = opening[fence.marker_at + len(marker) :]
        lead = after[: len(after) - len(after.lstrip())] if info else ""
        trail = after[len(after.rstrip()) :] if after.strip() else ""
        opening = opening[: fence.marker_at] + needed + lead + info + trail
    if not body_changed:
        rest = origin.text[len(fence.opening) :]
        return opening + rest
    closing = fence.closing
    if closing is None or needed != marker:
        indent = fence.body_prefix[len(origin.rest_prefix) :]
        closing = origin.rest_prefix + indent + needed
    parts = [opening]
    body = cell.value.split("\n") if cell.value else []
    if fence.label:
        body.insert(0, fence.label)
    if with_outputs:
        body += render_outputs(cell, options.summary)
    parts.extend(
        (fence.body_prefix + line) if line else fence.body_prefix.rstrip() for line in body
    )
    parts.append(closing)
    images = render_images(cell, eol) if with_outputs else ""
    return eol.join(parts) + images


def _render_new(cell: Cell, eol: str, options: SerializeOptions) -> str:
    if cell.kind == CellKind.MARKUP:
        return eol.join(cell.value.split("\n")) + eol
    fence = fence_for(cell.value)
    lines = [fence + render_info(cell.language, dict(cell.attributes))]
    if cell.value:
        lines.extend(cell.value.split("\n"))
    with_outputs = options.outputs and bool(cell.outputs)
    if with_outputs:
        lines.extend(render_outputs(cell, options.summary))
    lines.append(fence)
    return eol.join(lines) + (render_images(cell, eol) if with_outputs else "") + eol


def standalone_fence(cell: Cell) -> str:
    """A code cell as a fenced block of its own (container indentation removed), for ``print``."""
    origin = cell.origin
    fence = origin.fence if origin else None
    if origin is not None and fence is not None and not fence.indented and not cell.changed:
        opening = fence.opening[fence.marker_at :]
        closing = fence.closing.strip() if fence.closing is not None else fence.marker
        body = cell.value.split("\n") if cell.value else []
        return "\n".join([opening, *body, closing])
    marker = fence_for(cell.value)
    body = [cell.value] if cell.value else []
    return "\n".join([marker + render_info(cell.language, dict(cell.attributes)), *body, marker])
