"""Cell outputs written into Markdown the way Runme writes session-output files.

Text outputs go inside the fence after the code, optionally after a ``# Ran on ... for ... exited
with N`` line; images follow the fence as a data-URL image. Such files carry ``runme.session.id`` in
their frontmatter and are never read back as runbooks.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

from waypost.notebook.model import Cell

__all__ = ["format_duration", "render_images", "render_outputs", "strip_ansi"]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def _is_text(mime: str) -> bool:
    return not mime.startswith(("image/", "stateful.")) and mime != "text/plain"


def render_outputs(cell: Cell, summary: bool) -> list[str]:
    """Lines to put inside the fence after the code (a blank line first)."""
    texts = [o.data.decode("utf-8", errors="replace") for o in cell.outputs if _is_text(o.mime)]
    if not texts and not (summary and cell.summary):
        return []
    lines = [""]
    if summary and cell.summary is not None:
        lines.append(_summary_line(cell))
    text = strip_ansi("".join(texts)).replace("\r\n", "\n").rstrip("\n")
    if text:
        lines.extend(text.split("\n"))
    return lines


def render_images(cell: Cell, eol: str) -> str:
    """Image outputs as Markdown images after the fence (URL-safe base64, as Runme writes them)."""
    out = []
    for item in cell.outputs:
        if item.mime.startswith("image/") and item.data:
            data = base64.urlsafe_b64encode(item.data).decode("ascii")
            out.append(f"{eol}{eol}![{cell.value}](data:{item.mime};base64,{data}){eol}")
    return "".join(out)


def _summary_line(cell: Cell) -> str:
    s = cell.summary
    assert s is not None
    parts = []
    if s.start_ms is not None:
        started = datetime.fromtimestamp(s.start_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        parts.append(f"Ran on {started}")
        if s.end_ms is not None:
            parts.append(f"for {format_duration(s.end_ms - s.start_ms)}")
    if s.exit_code is not None:
        parts.append(f"exited with {s.exit_code}" if parts else f"Exited with {s.exit_code}")
    return "# " + " ".join(parts)


def format_duration(ms: int) -> str:
    """Runme's style: ``719ms`` under a second, else ``2.296s`` or ``1m 2s``."""
    if ms < 1000:
        return f"{ms}ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:g}s"
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes}m {rest}s"
    return f"{minutes}m {rest}s"
