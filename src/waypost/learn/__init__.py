"""Learning from what users run: events, log processing, examples, retrieval, adaptation, eval.

Reads only the event log. Uses ``waypost.notebook`` for cells; must never import the runner, the
server or the CLI.
"""

from waypost.learn.events import (
    ContextCell,
    Event,
    EventSink,
    GeneratedCell,
    JsonlEventSink,
    MemoryEventSink,
)

__all__ = [
    "ContextCell",
    "Event",
    "EventSink",
    "GeneratedCell",
    "JsonlEventSink",
    "MemoryEventSink",
]
