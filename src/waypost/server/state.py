"""What every request handler of one server process shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from waypost.ai import Generator
from waypost.config import Config
from waypost.learn.events import EventSink
from waypost.runner import Runner
from waypost.server.auth import Guard
from waypost.server.grpc.parser_service import NotebookCache
from waypost.server.metrics import Metrics
from waypost.server.paths import Confinement
from waypost.workspace import Workspace

__all__ = ["ServerState"]


@dataclass
class ServerState:
    workspace: Workspace
    """The project's event log, learner, assistant, generator and runner."""
    guard: Guard
    confinement: Confinement
    cache: NotebookCache = field(default_factory=NotebookCache)
    metrics: Metrics = field(default_factory=Metrics)
    max_body: int = 32 * 1024 * 1024
    """Largest request body accepted, in bytes."""

    @property
    def config(self) -> Config:
        return self.workspace.config

    @property
    def sink(self) -> EventSink:
        return self.workspace.sink

    @property
    def generator(self) -> Generator:
        return self.workspace.generator

    @property
    def runner(self) -> Runner:
        return self.workspace.runner
