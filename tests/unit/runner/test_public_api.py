"""The runner's public surface: what adapters may import."""

from __future__ import annotations

import ast
from pathlib import Path

import waypost.runner as runner

PACKAGE = Path(runner.__file__).parent


def test_all_is_pinned():
    assert runner.__all__ == [
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
    assert all(hasattr(runner, name) for name in runner.__all__)


def test_runner_never_imports_adapters():
    forbidden = ("waypost.cli", "waypost.server", "typer", "rich", "grpc", "starlette")
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"
