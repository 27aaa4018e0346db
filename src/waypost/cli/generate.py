"""``waypost generate``: ask the AI for the cells that come next in a runbook."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from waypost.ai import SUGGESTION, Generation
from waypost.cli.console import err
from waypost.config import load_config
from waypost.errors import UsageError
from waypost.learn import events
from waypost.learn.events import EventSink
from waypost.notebook import Cell, Notebook, serialize
from waypost.notebook.jsonview import notebook_to_json
from waypost.project import content_hash, find_git_root, read_notebook, save_atomically
from waypost.workspace import Workspace

__all__ = ["app"]

app = typer.Typer()


@app.command("generate")
def generate(
    file: Annotated[Path, typer.Argument(help="The runbook.")],
    cell: Annotated[
        int | None,
        typer.Option("--cell", help="Index of the cell to continue from (default: last)."),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option("--provider", help="offline, openai, anthropic or openai-compatible."),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Insert the suggestion into the file after the cell.")
    ] = False,
) -> None:
    """Propose the next cells of a runbook."""
    path = file.resolve()
    original = path.read_bytes() if path.is_file() else b""
    notebook = read_notebook(path, where=str(file))
    if not notebook.cells:
        raise UsageError("the runbook is empty: write what you want to do first", where=str(file))
    index = len(notebook.cells) - 1 if cell is None else cell
    if not 0 <= index < len(notebook.cells):
        raise UsageError(f"no cell {index}; the runbook has {len(notebook.cells)}", where="--cell")
    root = find_git_root(path.parent) or path.parent
    workspace = Workspace(root, load_config(root, ai_provider=provider), source="cli")
    try:
        workspace.catch_up()  # learn from what ran since the last command
        result = workspace.generator.generate(
            list(notebook.cells), index, notebook=str(path), source="cli"
        )
        if write and result.cells:
            _write(path, original, notebook, index, result, workspace.sink)
    finally:
        workspace.close()
    if json_:
        sys.stdout.write(json.dumps(_as_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        _print(result)


def _write(path: Path, original: bytes, notebook: Notebook, index: int, result: Generation,
           sink: EventSink) -> None:  # fmt: skip
    """Insert the suggestion after the cell and save; writing it is accepting it."""
    accepted = [_accept(c) for c in result.cells]
    updated = notebook.insert_cells(index + 1, accepted)
    save_atomically(path, serialize(updated), expected_hash=content_hash(original))
    for c in accepted:
        sink.emit(events.accepted(c.id or "", trace_id=result.trace_id, source="cli"))


def _accept(cell: Cell) -> Cell:
    return replace(cell, attributes={k: v for k, v in cell.attributes.items() if k != SUGGESTION})


def _as_json(result: Generation) -> dict[str, object]:
    cells = notebook_to_json(Notebook(cells=tuple(result.cells)))["cells"]
    return {
        "traceId": result.trace_id,
        "provider": result.provider,
        "model": result.model,
        "latencyMs": round(result.latency_ms, 3),
        "confidence": result.confidence,
        "usage": result.usage,
        "cells": cells,
    }


def _print(result: Generation) -> None:
    if result.cells:
        text = serialize(Notebook(cells=tuple(_accept(c) for c in result.cells))).decode()
        sys.stdout.write(text)
    status = f"{result.provider} · {result.latency_ms:.0f} ms"
    if result.confidence is not None:
        status += f" · confidence {result.confidence:.2f}"
    if not result.cells:
        status = "no suggestion · " + status
    err.print(status, style="dim")
