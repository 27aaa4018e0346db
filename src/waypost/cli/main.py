"""The ``waypost`` command: mounts each command group and turns errors into messages and exit codes."""

from __future__ import annotations

import os
import sys

import typer

try:  # typer >= 0.17 carries its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # older typer depends on click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from waypost.cli import env, fmt, generate, learn, serve, server, settings, tasks
from waypost.cli import run as run_command
from waypost.cli.console import print_error
from waypost.cli.options import (
    AllowUnknown,
    AllowUnnamed,
    Chdir,
    Filename,
    GitIgnore,
    IgnorePattern,
    ProjectDir,
    ProjectOptions,
    normalize_bool_flags,
)
from waypost.errors import WaypostError

__all__ = ["app", "run"]

_EXIT = (typer.Exit, getattr(click_exceptions, "Exit", typer.Exit))
_ABORT = (typer.Abort, getattr(click_exceptions, "Abort", typer.Abort))

app = typer.Typer(
    name="waypost",
    help="Executable Markdown runbooks. Runme-compatible.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    filename: Filename = None,
    chdir: Chdir = None,
    project: ProjectDir = None,
    allow_unnamed: AllowUnnamed = None,
    allow_unknown: AllowUnknown = None,
    git_ignore: GitIgnore = None,
    ignore_pattern: IgnorePattern = None,
) -> None:
    """Executable Markdown runbooks."""
    ctx.obj = ProjectOptions().merged(**{k: v for k, v in locals().items() if k != "ctx"})


app.add_typer(tasks.app)
app.add_typer(fmt.app)
app.add_typer(run_command.app)
app.add_typer(env.app)
app.add_typer(generate.app)
app.add_typer(learn.app)
app.add_typer(settings.app)
app.add_typer(serve.app)
app.add_typer(server.app)


def run(argv: list[str] | None = None) -> None:
    """Entry point: one place turns every Waypost error into ``Error: ...`` and an exit code."""
    args = normalize_bool_flags(sys.argv[1:] if argv is None else argv)
    try:
        # without standalone mode, click returns the code of a `typer.Exit` instead of raising
        code = app(args=args, prog_name="waypost", standalone_mode=False)
    except WaypostError as exc:
        print_error(str(exc))
        sys.exit(exc.exit_code)
    except _EXIT as exc:
        sys.exit(exc.exit_code)
    except click_exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except _ABORT:
        print_error("aborted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line; WAYPOST_DEBUG=1 shows the traceback
        if os.environ.get("WAYPOST_DEBUG"):
            raise
        print_error(f"internal error: {exc!r} (set WAYPOST_DEBUG=1 for details)")
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
