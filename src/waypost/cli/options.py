"""Options every project-aware command takes (also accepted before the command, as in Runme)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Annotated

import typer

from waypost.project import Project, open_project

__all__ = [
    "AllowUnknown",
    "AllowUnnamed",
    "Chdir",
    "Filename",
    "GitIgnore",
    "IgnorePattern",
    "ProjectDir",
    "ProjectOptions",
    "normalize_bool_flags",
]

Filename = Annotated[
    str | None,
    typer.Option("--filename", help="Runbook file to use (file mode).", show_default=False),
]
Chdir = Annotated[
    str | None,
    typer.Option("--chdir", help="Directory to switch to (file mode).", show_default=False),
]
ProjectDir = Annotated[
    str | None,
    typer.Option(
        "--project", envvar="WAYPOST_PROJECT", help="Project root directory.", show_default=False
    ),
]
AllowUnnamed = Annotated[
    bool | None,
    typer.Option(
        "--allow-unnamed/--no-allow-unnamed",
        help="Include cells without a name.",
        show_default=False,
    ),
]
AllowUnknown = Annotated[
    bool | None,
    typer.Option(
        "--allow-unknown/--no-allow-unknown",
        help="Include cells in other languages.",
        show_default=False,
    ),
]
GitIgnore = Annotated[
    bool | None,
    typer.Option(
        "--git-ignore/--no-git-ignore",
        help="Skip files that .gitignore excludes.",
        show_default=False,
    ),
]
IgnorePattern = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore-pattern", help="Extra pattern to skip (repeatable).", show_default=False
    ),
]


@dataclass(frozen=True, slots=True)
class ProjectOptions:
    filename: str | None = None
    chdir: str | None = None
    project: str | None = None
    allow_unnamed: bool | None = None
    allow_unknown: bool | None = None
    git_ignore: bool | None = None
    ignore_pattern: list[str] | None = None

    def merged(self, **given: object) -> ProjectOptions:
        """These options with the ones given to the command itself taking precedence."""
        names = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in given.items() if k in names and v is not None})

    @property
    def file_mode(self) -> bool:
        return self.filename is not None or self.chdir is not None

    def unnamed_allowed(self) -> bool:
        if self.allow_unnamed is not None:
            return self.allow_unnamed
        return self.file_mode

    def open(self) -> Project:
        return open_project(
            project=self.project,
            chdir=self.chdir,
            filename=self.filename,
            use_gitignore=self.git_ignore is not False,
            ignore_patterns=tuple(self.ignore_pattern or ("node_modules", ".venv")),
        )

    @staticmethod
    def of(ctx: typer.Context, given: dict[str, object]) -> ProjectOptions:
        """The options before the command, overridden by those given to it (its ``locals()``)."""
        base = ctx.obj if isinstance(ctx.obj, ProjectOptions) else ProjectOptions()
        return base.merged(**given)


_PAIRED_FLAGS = ("--allow-unnamed", "--allow-unknown", "--git-ignore", "--runner", "--insecure")
_PLAIN_FLAGS = (
    "--write",
    "--check",
    "--json",
    "--all",
    "--dry-run",
    "--parallel",
    "--skip-prompts",
)


def normalize_bool_flags(argv: list[str]) -> list[str]:
    """Accept Runme's ``--flag=true`` / ``--flag=false`` spellings."""
    result = []
    for arg in argv:
        name, eq, value = arg.partition("=")
        truthy = value.lower() in ("true", "1", "t")
        if eq and value.lower() in ("true", "false", "1", "0", "t", "f"):
            if name in _PAIRED_FLAGS:
                result.append(name if truthy else "--no-" + name[2:])
                continue
            if name in _PLAIN_FLAGS:
                if truthy:
                    result.append(name)
                continue
        result.append(arg)
    return result


def relative_to_cwd(path: Path) -> str:
    import os

    return os.path.relpath(path, Path.cwd())
