"""The runner: sessions as data, programs for languages, processes on PTYs or pipes, streaming.

Owns processes: it starts each cell in a fresh process seeded from its session, streams the
output, captures exported variables back into the session, and ends every process it started.
May import ``waypost.notebook``, ``waypost.project``, ``waypost.errors`` and
``waypost.learn.events``; must never import the server, the CLI, typer, rich, grpc or starlette.

Adapters hold one ``Runner``: ``run_cell`` (a notebook cell, Runme's rules) or ``execute`` (an
``ExecuteRequest``) returns an ``Execution`` whose ``events()`` / ``aevents()`` yield
``Started``, ``Output`` and ``Exited``; ``write``, ``resize``, ``stop`` and ``detach`` control it.
"""

from waypost.runner.environment import EnvChanges
from waypost.runner.execution import (
    Execution,
    ExecutionEvent,
    ExecutionId,
    ExecutionResult,
    Exited,
    Output,
    Started,
)
from waypost.runner.output import Stream
from waypost.runner.program import CommandMode, Program, is_shell_language, resolve_program
from waypost.runner.request import ExecuteRequest, StopKind, request_for_cell
from waypost.runner.resolve import (
    ResolvedProgram,
    ResolvedVar,
    ResolveMode,
    Retention,
    VarStatus,
    resolve_variables,
)
from waypost.runner.runner import ExecutionObserver, Runner
from waypost.runner.session import Session, SessionId, SessionStrategy
from waypost.runner.store import MemorySessionStore, SessionStore
from waypost.runner.terminal import Winsize

__all__ = [
    "CommandMode",
    "EnvChanges",
    "ExecuteRequest",
    "Execution",
    "ExecutionEvent",
    "ExecutionId",
    "ExecutionObserver",
    "ExecutionResult",
    "Exited",
    "MemorySessionStore",
    "Output",
    "Program",
    "ResolveMode",
    "ResolvedProgram",
    "ResolvedVar",
    "Retention",
    "Runner",
    "Session",
    "SessionId",
    "SessionStore",
    "SessionStrategy",
    "Started",
    "StopKind",
    "Stream",
    "VarStatus",
    "Winsize",
    "is_shell_language",
    "request_for_cell",
    "resolve_program",
    "resolve_variables",
]
