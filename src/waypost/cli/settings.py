"""``waypost config get/set``: read and change settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from waypost.config import load_config, set_value, user_config_path
from waypost.masking import MASK
from waypost.project import find_git_root

__all__ = ["app"]

app = typer.Typer(name="config", help="Read and change settings.", no_args_is_help=True)


def _project_root() -> Path:
    return find_git_root(Path.cwd()) or Path.cwd()


@app.command("get")
def get(
    key: Annotated[str | None, typer.Argument(help="e.g. ai.provider; none: all.")] = None,
) -> None:
    """Print a setting, or all of them as JSON (as the files and WAYPOST_* variables make them)."""
    config = load_config(_project_root())
    if key:
        value = config.get(key)
        sys.stdout.write(f"{MASK if key == 'server.token' and value else value}\n")
        return
    data = config.as_dict()
    if data["server"]["token"]:
        data["server"]["token"] = MASK
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


@app.command("set")
def set_(
    key: Annotated[str, typer.Argument(help="e.g. ai.provider")],
    value: Annotated[str, typer.Argument(help="the new value")],
    project: Annotated[
        bool, typer.Option("--project", help="Write the project's waypost.toml, not your own file.")
    ] = False,
) -> None:
    """Change a setting in your config file (or the project's)."""
    path = _project_root() / "waypost.toml" if project else user_config_path()
    set_value(path, key, value)
    sys.stdout.write(f"{key} = {value}  ({path})\n")
