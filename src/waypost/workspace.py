"""A workspace: one user's Waypost for one project, assembled from the config.

The composition root the CLI and the server share: the event log, the learning database and the
learner, the offline assistant, the generator and the runner. Nothing here decides anything; it
only wires the core packages together and closes them in order.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path

from waypost.ai import Generator, make_provider
from waypost.config import Config, load_config
from waypost.learn import EventSource, JsonlEventLog, Learner, OfflineAssistant, SqliteStore
from waypost.learn.calibration import THRESHOLD
from waypost.learn.events import EventSink, JsonlEventSink
from waypost.learn.store import LearnStore
from waypost.notebook import new_ulid
from waypost.runner import MemorySessionStore, Runner, SessionStore
from waypost.store.database import Database
from waypost.store.events import PostgresEventLog, PostgresEventSink
from waypost.store.learning import PostgresLearnStore
from waypost.store.replicas import ReplicaRegistry
from waypost.store.sessions import PostgresSessionStore

__all__ = ["Workspace"]


class Workspace:
    """With ``store.url = postgresql://...`` sessions and the event log live in the team's
    database (any replica can run any session's next cell); otherwise in this process and files."""

    def __init__(self, root: Path, config: Config | None = None, *, source: str = "") -> None:
        self.root = root
        self.config = config or load_config(root)
        self.source = source
        self.replica: ReplicaRegistry | None = None
        self._stop = threading.Event()
        self._learning: threading.Thread | None = None

    @property
    def team(self) -> bool:
        return self.config.store.url.startswith(("postgresql://", "postgres://"))

    @cached_property
    def database(self) -> Database:
        return Database(self.config.store.url, team=self.config.server.team)

    @cached_property
    def sink(self) -> EventSink:
        return (
            PostgresEventSink(self.database)
            if self.team
            else JsonlEventSink(self.config.events_dir)
        )

    @cached_property
    def event_log(self) -> EventSource:
        return (
            PostgresEventLog(self.database) if self.team else JsonlEventLog(self.config.events_dir)
        )

    @cached_property
    def sessions(self) -> SessionStore:
        return PostgresSessionStore(self.database) if self.team else MemorySessionStore()

    @cached_property
    def store(self) -> LearnStore:
        """The team's database with a PostgreSQL store (one learning for all replicas)."""
        if self.team:
            return PostgresLearnStore(self.database)
        return SqliteStore(self.config.learn_db)

    @cached_property
    def learner(self) -> Learner:
        return Learner(self.event_log, self.store)

    @cached_property
    def assistant(self) -> OfflineAssistant:
        return OfflineAssistant(
            self.store,
            threshold=self.config.learn.threshold or THRESHOLD,
            memory_limit=self.config.learn.memory_examples,
        )

    @cached_property
    def generator(self) -> Generator:
        provider = make_provider(self.config.ai, assistant=self.assistant)
        return Generator(provider, self.config.ai, sink=self.sink, assistant=self.assistant)

    @cached_property
    def runner(self) -> Runner:
        observers = [self.replica] if self.replica is not None else []
        return Runner(self.sessions, sink=self.sink, source=self.source, observers=observers)

    def register_replica(self, url: str) -> ReplicaRegistry:
        """Join the team as a replica peers reach at ``url`` (before the runner is first used)."""
        self.replica = ReplicaRegistry(self.database, new_ulid(), url)
        self.replica.start()
        return self.replica

    def catch_up(self) -> None:
        """Learn from everything logged so far (a CLI command's one-off learning step)."""
        self.learner.poll()

    def start_learning(self, interval: float = 1.0) -> None:
        """Keep learning in a background thread: new executions become examples within seconds."""
        if self._learning is None:
            self._learning = threading.Thread(
                target=self.learner.run_forever, args=(self._stop,), kwargs={"interval": interval},
                name="learner", daemon=True,
            )  # fmt: skip
            self._learning.start()

    def close(self) -> None:
        self._stop.set()
        if self._learning is not None:
            self._learning.join(timeout=10)
        if "runner" in self.__dict__:
            self.runner.close()
        if self.replica is not None:
            self.replica.close()
        if "store" in self.__dict__:
            self.store.close()
        if "database" in self.__dict__:
            self.database.close()
