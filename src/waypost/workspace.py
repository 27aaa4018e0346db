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
from waypost.learn import JsonlEventLog, Learner, OfflineAssistant, SqliteStore
from waypost.learn.events import JsonlEventSink
from waypost.runner import Runner

__all__ = ["Workspace"]


class Workspace:
    def __init__(self, root: Path, config: Config | None = None, *, source: str = "") -> None:
        self.root = root
        self.config = config or load_config(root)
        self.source = source
        self._stop = threading.Event()
        self._learning: threading.Thread | None = None

    @cached_property
    def sink(self) -> JsonlEventSink:
        return JsonlEventSink(self.config.events_dir)

    @cached_property
    def store(self) -> SqliteStore:
        return SqliteStore(self.config.learn_db)

    @cached_property
    def learner(self) -> Learner:
        return Learner(JsonlEventLog(self.config.events_dir), self.store)

    @cached_property
    def assistant(self) -> OfflineAssistant:
        if self.config.learn.threshold:
            return OfflineAssistant(self.store, threshold=self.config.learn.threshold)
        return OfflineAssistant(self.store)

    @cached_property
    def generator(self) -> Generator:
        provider = make_provider(self.config.ai, assistant=self.assistant)
        return Generator(provider, self.config.ai, sink=self.sink, assistant=self.assistant)

    @cached_property
    def runner(self) -> Runner:
        return Runner(sink=self.sink, source=self.source)

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
        if "store" in self.__dict__:
            self.store.close()
