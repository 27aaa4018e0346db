"""What every request handler of one server process shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from waypost.ai import Generator
from waypost.config import Config
from waypost.learn.events import EventSink
from waypost.server.auth import Guard
from waypost.server.grpc.parser_service import NotebookCache
from waypost.server.paths import Confinement

__all__ = ["ServerState"]


@dataclass
class ServerState:
    config: Config
    guard: Guard
    confinement: Confinement
    sink: EventSink
    generator: Generator
    cache: NotebookCache = field(default_factory=NotebookCache)
    runner: Any = None
    """The runner, once wired (sessions and executions)."""
    max_body: int = 32 * 1024 * 1024
    """Largest request body accepted, in bytes."""
