"""Where the learner's files live by default: ``$WAYPOST_HOME`` or ``~/.waypost``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LearnPaths", "default_paths"]


@dataclass(frozen=True, slots=True)
class LearnPaths:
    home: Path
    events: Path
    """The event log directory (``events.jsonl`` and its rotated files)."""
    store: Path
    """The SQLite file with examples, cell records and watermarks."""


def default_paths() -> LearnPaths:
    home = Path(os.environ.get("WAYPOST_HOME") or Path.home() / ".waypost")
    return LearnPaths(home, home / "events", home / "learn.sqlite")
