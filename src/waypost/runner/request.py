"""What to run: an execution request, and how a notebook cell becomes one.

The request is the runner's own shape of Runme's ``ExecuteRequest`` (first message of the
stream); the servers convert protobuf messages to it, the CLI builds it from a task.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from waypost.learn.events import ContextCell
from waypost.notebook import Cell, CellKind, Notebook
from waypost.runner.directory import resolve_directory
from waypost.runner.program import CommandMode, Program, is_shell_language, resolve_program
from waypost.runner.session import SessionId, SessionStrategy
from waypost.runner.terminal import Winsize

__all__ = ["ExecuteRequest", "StopKind", "context_of", "request_for_cell"]


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


class StopKind(enum.Enum):
    """How to stop an execution (Runme's ``ExecuteStop``)."""

    INTERRUPT = "interrupt"
    """SIGINT to the process group, like Ctrl-C: the program may clean up (exit code 130)."""
    KILL = "kill"
    """SIGKILL to every process of the execution (exit code 137)."""


@dataclass(frozen=True, slots=True)
class ExecuteRequest:
    """Everything needed to start one execution."""

    commands: tuple[str, ...] = ()
    """Shell lines to run, joined by newlines (Runme's ``commands``); or use ``script``."""
    script: str = ""
    """The code to run when ``commands`` is empty."""
    language: str = ""
    """The cell's language id; picks the interpreter and the script file's extension."""
    program: str = ""
    """Interpreter to use instead of the language's (the cell's ``interpreter``), may have args."""
    arguments: tuple[str, ...] = ()
    """Extra arguments for the program, before the script."""
    shell: str = ""
    """The frontmatter ``shell``, used for shell languages when ``program`` is empty."""
    mode: CommandMode = CommandMode.AUTO
    file_extension: str = ""
    directory: str = ""
    """Working directory; empty means the runner process's current directory."""
    env: Mapping[str, str] = field(default_factory=_empty)
    """Variables merged into the session before the run, permanently (as Runme does)."""
    run_env: Mapping[str, str] = field(default_factory=_empty)
    """Variables for this run only, such as ``RUNME_ID``; never stored in the session."""
    interactive: bool = False
    """Run on a pseudo-terminal (Runme's ``tty``/``interactive``); otherwise on pipes."""
    winsize: Winsize | None = None
    input: bytes = b""
    """Input sent right after start; on pipes, input then ends (EOF)."""
    background: bool = False
    """Keeps running when its requester goes away; found and stopped by execution id."""
    session_id: SessionId | None = None
    session_strategy: SessionStrategy = SessionStrategy.NEW
    """Which session to use when ``session_id`` is not given."""
    store_last_output: bool = True
    """Store stdout as ``$__`` (and under ``known_name`` if it looks like a variable)."""
    mime_type: str = ""
    """The output's MIME type when known (a cell's ``mimeType``); otherwise it is sniffed."""
    stdout_path: str = ""
    """Also write stdout to this file (relative to ``directory``)."""
    stderr_path: str = ""
    """Also write stderr to this file; on a PTY everything is stdout."""
    known_id: str = ""
    """The cell's id, for lineage (Runme's ``known_id``)."""
    known_name: str = ""
    """The cell's name (Runme's ``known_name``)."""
    notebook: str = ""
    """The runbook's path, for events."""
    context: tuple[ContextCell, ...] = field(default=(), repr=False)
    """The cells before this one, oldest first, for the learning event."""

    @property
    def code(self) -> str:
        return "\n".join(self.commands) if self.commands else self.script

    def program_in(self, env: Mapping[str, str], *, where: str = "") -> Program:
        """The program this request runs, found on ``env``'s ``PATH``."""
        return resolve_program(
            language=self.language,
            script=self.code,
            program=self.program,
            arguments=self.arguments,
            shell=self.shell,
            mode=self.mode,
            file_extension=self.file_extension,
            env=env,
            where=where,
        )


def context_of(notebook: Notebook, index: int) -> tuple[ContextCell, ...]:
    """The cells before ``index`` as the learner sees them."""
    return tuple(
        ContextCell(
            kind="code" if c.kind == CellKind.CODE else "markup",
            value=c.value,
            language=c.language,
            id=c.id or "",
        )
        for c in notebook.cells[:index]
    )


def _code(cell: Cell) -> tuple[tuple[str, ...], str]:
    # Shell lines lose their ``$`` prompts as Runme runs them. Other languages run as written:
    # Runme strips a leading ``$`` there too, which breaks e.g. JavaScript template lines.
    if is_shell_language(cell.language):
        return tuple(cell.lines), ""
    return (), cell.value


def request_for_cell(
    notebook: Notebook,
    index: int,
    *,
    document: Path | None = None,
    base: Path | None = None,
) -> ExecuteRequest:
    """The request that runs ``notebook.cells[index]`` as Runme would.

    ``document`` is the runbook's path and ``base`` the directory the run starts from (project
    root or ``--chdir``); the working directory follows Runme's rules from there.
    """
    cell = notebook.cells[index]
    frontmatter = notebook.frontmatter
    start = base or (document.parent if document else Path.cwd())
    directory = resolve_directory(
        start,
        [
            document.parent if document else None,
            frontmatter.cwd if frontmatter else "",
            cell.attribute("cwd"),
        ],
    )
    commands, script = _code(cell)
    run_env = {"RUNME_ID": cell.id} if cell.id else {}
    return ExecuteRequest(
        commands=commands,
        script=script,
        language=cell.language,
        program=cell.attribute("interpreter"),
        shell=frontmatter.shell if frontmatter else "",
        directory=str(directory),
        run_env=MappingProxyType(run_env),
        interactive=cell.flag("interactive", True),
        background=cell.flag("background"),
        mime_type=cell.attribute("mimeType"),
        stdout_path=cell.attribute("stdout"),
        stderr_path=cell.attribute("stderr"),
        known_id=cell.id or "",
        known_name=cell.name,
        notebook=str(document) if document else "",
        context=context_of(notebook, index),
    )
