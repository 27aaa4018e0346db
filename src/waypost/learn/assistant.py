"""The offline assistant: suggestions from the team's own history, no LLM, no network.

``OfflineAssistant(store)`` keeps a fitted ``History`` of the store's examples and refreshes it
when examples change (new executions show up on the next request). ``suggest(cells_before)``
builds the query with ``build_query``, ranks adapted candidates, and returns a ``Suggestion``
with a confidence, or ``None`` when the best confidence is below ``THRESHOLD`` (abstaining beats
guessing). ``retrieve(query, k)`` returns the nearest examples, for LLM providers' few-shot prompts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from waypost.learn.calibration import THRESHOLD, confidence
from waypost.learn.history import History
from waypost.learn.query import Query, build_query
from waypost.learn.ranking import Candidate, rank
from waypost.learn.records import Example
from waypost.learn.store import ExampleStore

__all__ = ["OfflineAssistant", "SuggestedCell", "Suggestion"]


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


class OfflineAssistant:
    """Retrieval + adaptation + calibration over an ``ExampleStore``."""

    name = "offline"

    def __init__(self, store: ExampleStore, *, threshold: float = THRESHOLD) -> None:
        self.store = store
        self.threshold = threshold
        self._state = _State()
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Catch up with the store; returns whether anything changed."""
        with self._lock:
            changed, seq = self.store.since(self._state.seq)
            if not changed and seq == self._state.seq:
                return False
            examples = dict(self._state.examples)
            for example in changed:
                examples.pop(example.key, None)  # re-insert: newest last
                examples[example.key] = example
            history = History.fit(list(examples.values()))
            self._state = _State(history, examples, seq)
            return True

    @property
    def history(self) -> History:
        return self._state.history

    def rank(self, query: Query) -> list[Candidate]:
        """Every candidate with its confidence, best first (for eval and debugging)."""
        self.refresh()
        candidates = rank(self._state.history, query)
        for c in candidates:
            c.confidence = confidence(c)
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
