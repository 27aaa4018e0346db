"""``waypost fmt``: read runbooks and write them back, optionally adding ids."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from waypost.cli.console import err
from waypost.cli.options import (
    Chdir,
    Filename,
    GitIgnore,
    IgnorePattern,
    ProjectDir,
    ProjectOptions,
)
from waypost.errors import UsageError
from waypost.notebook import Identity, apply_identity, parse, serialize
from waypost.notebook.jsonview import notebook_to_json
from waypost.project import content_hash, read_notebook, save_atomically

__all__ = ["app"]

app = typer.Typer()


@app.command("fmt")
def fmt(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Files to format; '-' reads stdin; none: the project."),
    ] = None,
    write: Annotated[bool, typer.Option("--write", "-w", help="Write the result back.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 and name the files that would change.")
    ] = False,
    identity: Annotated[
        str, typer.Option("--identity", help="Persist ids: unspecified, cell, document or all.")
    ] = "unspecified",
    json_: Annotated[bool, typer.Option("--json", help="Print the notebook as JSON.")] = False,
    filename: Filename = None,
    chdir: Chdir = None,
    project: ProjectDir = None,
    git_ignore: GitIgnore = None,
    ignore_pattern: IgnorePattern = None,
) -> None:
    """Format runbooks. Waypost keeps every byte it does not have to change."""
    try:
        mode = Identity.from_name(identity)
    except ValueError as exc:
        raise UsageError(str(exc), where="--identity") from None
    if json_ and write:
        raise UsageError("--json cannot be combined with --write")
    options = ProjectOptions.of(ctx, locals())
    if files == ["-"]:
        _stdin(mode, json_, check)
        return
    paths = [Path(f) for f in files] if files else list(options.open().files())
    changed = []
    for path in paths:
        original = _read(path)
        notebook = apply_identity(read_notebook(path), mode)
        result = serialize(notebook)
        if json_:
            sys.stdout.write(json.dumps(notebook_to_json(notebook), indent=2, ensure_ascii=False))
            sys.stdout.write("\n")
        elif check:
            if result != original:
                changed.append(path)
        elif write:
            if result != original:
                save_atomically(path, result, expected_hash=content_hash(original))
        else:
            sys.stdout.buffer.write(result)
            sys.stdout.flush()
    if changed:
        for path in changed:
            err.print(f"would reformat {path}")
        raise typer.Exit(1)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # read_notebook reports it with a proper message


def _stdin(mode: Identity, as_json: bool, check: bool) -> None:
    original = sys.stdin.buffer.read()
    notebook = apply_identity(parse(original, where="<stdin>"), mode)
    if as_json:
        sys.stdout.write(
            json.dumps(notebook_to_json(notebook), indent=2, ensure_ascii=False) + "\n"
        )
        return
    result = serialize(notebook)
    if check:
        if result != original:
            err.print("would reformat <stdin>")
            raise typer.Exit(1)
        return
    sys.stdout.buffer.write(result)
    sys.stdout.flush()
