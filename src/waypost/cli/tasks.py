"""``waypost list`` and ``waypost print``: the runnable cells of a project."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from waypost.cli.console import err, go_json, out
from waypost.cli.options import (
    AllowUnknown,
    AllowUnnamed,
    Chdir,
    Filename,
    GitIgnore,
    IgnorePattern,
    ProjectDir,
    ProjectOptions,
)
from waypost.errors import TaskError
from waypost.notebook.naming import first_command
from waypost.notebook.serializer import standalone_fence
from waypost.project import Task, filter_tasks, find_tasks

__all__ = ["app", "load_tasks"]

app = typer.Typer()


def load_tasks(options: ProjectOptions) -> list[Task]:
    """The project's tasks, filtered as ``--allow-unnamed``/``--allow-unknown`` say."""
    project = options.open()
    tasks = project.tasks()
    for warning in project.warnings:
        err.print(f"[yellow]warning:[/] skipped {warning}")
    allow_unnamed = options.unnamed_allowed()
    allow_unknown = options.allow_unknown is not False
    return [
        t for t in tasks if (allow_unnamed or not t.unnamed) and (allow_unknown or not t.unknown)
    ]


def _rows(tasks: list[Task]) -> list[dict[str, object]]:
    cwd = Path.cwd()
    return [
        {
            "name": t.name,
            "file": os.path.relpath(t.path, cwd),
            "first_command": first_command(t.cell.lines),
            "description": t.cell.description,
            "named": not t.unnamed,
            "run_all": t.run_all,
        }
        for t in tasks
    ]


@app.command("list")
def list_(
    ctx: typer.Context,
    search: Annotated[str, typer.Argument(help="Regular expression over file:name.")] = "",
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    filename: Filename = None,
    chdir: Chdir = None,
    project: ProjectDir = None,
    allow_unnamed: AllowUnnamed = None,
    allow_unknown: AllowUnknown = None,
    git_ignore: GitIgnore = None,
    ignore_pattern: IgnorePattern = None,
) -> None:
    """List the runnable cells of the project (named ones unless --allow-unnamed)."""
    options = ProjectOptions.of(ctx, locals())
    tasks = filter_tasks(load_tasks(options), search)
    if not tasks and not options.unnamed_allowed():
        raise TaskError("no named code blocks, consider adding flag --allow-unnamed")
    rows = _rows(tasks)
    if json_:
        sys.stdout.write(go_json(rows) + "\n")
        return
    _print_table(rows)


app.command("ls", hidden=True, help="Alias of list.")(list_)


def _print_table(rows: list[dict[str, object]]) -> None:
    header = ["NAME", "FILE", "FIRST COMMAND", "DESCRIPTION", "NAMED"]
    lines = [
        [
            f"{r['name']}{'*' if r['run_all'] else ''}",
            str(r["file"]),
            str(r["first_command"]),
            str(r["description"]),
            "Yes" if r["named"] else "No",
        ]
        for r in rows
    ]
    if not sys.stdout.isatty():
        sys.stdout.write("\t".join(header) + "\n")
        for line in lines:
            sys.stdout.write("\t".join(cell.replace("\n", " ") for cell in line) + "\n")
        return
    table = Table(*header, box=None, header_style="bold")
    for line in lines:
        table.add_row(*line)
    out.print(table)
    err.print('\n*) Included when running all via "run --all"')


@app.command("print")
def print_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Cell name, or <file>/<name>.")],
    filename: Filename = None,
    chdir: Chdir = None,
    project: ProjectDir = None,
    allow_unnamed: AllowUnnamed = None,
    git_ignore: GitIgnore = None,
    ignore_pattern: IgnorePattern = None,
) -> None:
    """Print a cell's fenced code block."""
    options = ProjectOptions.of(ctx, locals())
    task = pick_task(options.merged(allow_unnamed=True), name)
    sys.stdout.write(standalone_fence(task.cell) + "\n")


def pick_task(options: ProjectOptions, name: str) -> Task:
    """The one task called ``name``; a clear error when there is none or more than one."""
    tasks = load_tasks(options)
    found = find_tasks(tasks, name)
    if not found:
        names = sorted({t.name for t in tasks})
        hint = f"; known names: {', '.join(names[:20])}" if names else ""
        raise TaskError(f'unable to find any script named "{name}"{hint}')
    if len(found) > 1:
        choices = ", ".join(f"{t.relpath}/{t.name}" for t in found)
        raise TaskError(
            f'multiple matches found for "{name}"; use a file specifier in the form '
            f'"{{file}}/{{task-name}}": {choices}'
        )
    return found[0]
