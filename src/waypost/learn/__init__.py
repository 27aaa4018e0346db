"""Learning from what users run: events, log processing, examples, retrieval, adaptation, eval.

Reads only the event log. Uses ``waypost.notebook`` for cells; must never import the runner, the
server or the CLI.

How the rest of Waypost calls it:

- **Generator / LLM providers (#5).** ``build_query(cells, index)`` is the one function that turns
  "the notebook up to the cell being predicted" into a ``Query``; the learner uses it on every
  ``execute`` event, so serving and training never drift apart. ``OfflineAssistant(store)`` is
  the offline provider: ``suggest(cells_before)`` returns a ``Suggestion`` (cells, confidence in
  [0, 1], the examples used) or ``None`` when it abstains; ``retrieve(query, k)`` returns the
  nearest ``Example``s for few-shot prompts.
- **Server (``waypost serve``).** Open one ``SqliteStore`` (``Config.learn_db``), run
  ``Learner(JsonlEventLog(Config.events_dir), store).run_forever(stop_event)`` in a daemon
  thread, and give the same store to one ``OfflineAssistant``: new executions become examples
  within a second and are used by the next suggestion.
- **Events.** The runner and server emit ``events.execute(...)`` (context = the cells before, as
  ``ContextCell``s) and ``events.generate(...)``; the schema is ``docs/events.md``.
- **Storage.** ``ExampleStore``, ``RecordStore``, ``WatermarkStore`` (together ``LearnStore``) and
  ``EventSource`` are small protocols; ``SqliteStore``/``MemoryStore`` and ``JsonlEventLog``/
  ``MemoryEventLog`` implement them.
"""

from waypost.learn.assistant import OfflineAssistant, SuggestedCell, Suggestion
from waypost.learn.calibration import THRESHOLD
from waypost.learn.evaluation import EvalReport, evaluate, replay
from waypost.learn.eventlog import EventSource, JsonlEventLog, MemoryEventLog, Watermark
from waypost.learn.events import (
    ContextCell,
    Event,
    EventSink,
    GeneratedCell,
    JsonlEventSink,
    MemoryEventSink,
)
from waypost.learn.learner import Learner, LearnStats
from waypost.learn.metric import distance
from waypost.learn.query import Query, QueryCell, build_query
from waypost.learn.records import CellRecord, Example, Outcome
from waypost.learn.store import (
    ExampleStore,
    LearnStore,
    MemoryStore,
    RecordStore,
    SqliteStore,
    WatermarkStore,
)

__all__ = [
    "THRESHOLD",
    "CellRecord",
    "ContextCell",
    "EvalReport",
    "Event",
    "EventSink",
    "EventSource",
    "Example",
    "ExampleStore",
    "GeneratedCell",
    "JsonlEventLog",
    "JsonlEventSink",
    "LearnStats",
    "LearnStore",
    "Learner",
    "MemoryEventLog",
    "MemoryEventSink",
    "MemoryStore",
    "OfflineAssistant",
    "Outcome",
    "Query",
    "QueryCell",
    "RecordStore",
    "SqliteStore",
    "SuggestedCell",
    "Suggestion",
    "Watermark",
    "WatermarkStore",
    "build_query",
    "distance",
    "evaluate",
    "replay",
]
