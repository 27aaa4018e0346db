"""``waypost env``: the environment a run would start with, secrets masked."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from waypost.cli.options import (
    Chdir,
    Filename,
    GitIgnore,
    IgnorePattern,
    ProjectDir,
    ProjectOptions,
)
from waypost.cli.run import ENV_ORDER, EnvOrder, env_files_order
from waypost.masking import mask_env
from waypost.project import load_env_files

__all__ = ["app"]

app = typer.Typer()


@app.command("env")
def env(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Only these variables.", show_default=False)
    ] = None,
    env_order: EnvOrder = ENV_ORDER,
    filename: Filename = None,
    chdir: Chdir = None,
    project: ProjectDir = None,
    git_ignore: GitIgnore = None,
    ignore_pattern: IgnorePattern = None,
) -> None:
    """Show the session environment `waypost run` would start with (secret values masked)."""
    options = ProjectOptions.of(ctx, locals())
    values = dict(os.environ)
    if not options.file_mode:
        values.update(load_env_files(options.open().root, env_files_order(env_order)))
    if names:
        values = {k: v for k, v in values.items() if k in names}
    for name, value in sorted(mask_env(values).items()):
        sys.stdout.write(f"{name}={value}\n")


app.command("environment", hidden=True, help="Alias of env.")(env)
