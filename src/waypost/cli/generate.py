"""``waypost generate``: ask the AI for the cells that come next in a runbook."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from waypost.ai import SUGGESTION, Generation, Generator, make_provider
from waypost.cli.console import err
from waypost.config import load_config
from waypost.errors import UsageError
from waypost.learn import events
from waypost.learn.events import JsonlEventSink
from waypost.notebook import Cell, serialize
from waypost.notebook.jsonview import notebook_to_json
from waypost.project import content_hash, find_git_root, read_notebook, save_atomically

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
    config = load_config(find_git_root(path.parent) or path.parent, ai_provider=provider)
    sink = JsonlEventSink(config.events_dir)
    generator = Generator(make_provider(config.ai, assistant=_assistant(config)), config.ai, sink=sink,
                          assistant=_assistant(config))  # fmt: skip
    result = generator.generate(list(notebook.cells), index, notebook=str(path), source="cli")
    if write and result.cells:
        accepted = [_accept(c) for c in result.cells]
        updated = notebook.insert_cells(index + 1, accepted)
        save_atomically(path, serialize(updated), expected_hash=content_hash(original))
        for c in accepted:
            sink.emit(events.accepted(c.id or "", trace_id=result.trace_id, source="cli"))
    if json_:
        sys.stdout.write(json.dumps(_as_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        _print(result)


def _assistant(config: object) -> None:
    """The learned assistant, once learning is available (until then the offline provider abstains)."""
    return None


def _accept(cell: Cell) -> Cell:
    return replace(cell, attributes={k: v for k, v in cell.attributes.items() if k != SUGGESTION})


def _as_json(result: Generation) -> dict[str, object]:
    from waypost.notebook import Notebook

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
    from waypost.notebook import Notebook

    if result.cells:
        text = serialize(Notebook(cells=tuple(_accept(c) for c in result.cells))).decode()
        sys.stdout.write(text)
    status = f"{result.provider} · {result.latency_ms:.0f} ms"
    if result.confidence is not None:
        status += f" · confidence {result.confidence:.2f}"
    if not result.cells:
        status = "no suggestion · " + status
    err.print(status, style="dim")
