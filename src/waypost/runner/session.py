"""A session: the environment and settings that cells run with, as plain data.

A session is never a live shell. Each cell runs in a fresh process seeded from it, and the variables
the cell exports or unsets are written back as a new version. That is what lets any server replica
run the next cell of any session, and two cells of one session run at once.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import NewType

from waypost.notebook import new_ulid

__all__ = ["Session", "SessionId", "SessionStrategy", "new_session"]

SessionId = NewType("SessionId", str)


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


class SessionStrategy(enum.Enum):
    """Which session an execution without a session id runs in (Runme's ``SessionStrategy``)."""

    NEW = "new"
    """A new session, seeded like ``create_session`` (Runme's ``UNSPECIFIED``)."""
    MOST_RECENT = "most_recent"
    """The most recently created or updated session; a new one if there is none."""


@dataclass(frozen=True, slots=True)
class Session:
    """A session's state at one version."""

    id: SessionId
    env: Mapping[str, str] = field(default_factory=_empty)
    """Every variable a cell of this session starts with."""
    metadata: Mapping[str, str] = field(default_factory=_empty)
    """Free-form labels from whoever created it (Runme's ``metadata``)."""
    version: int = 1
    """Incremented on every change; a store refuses a write based on an older version."""
    created: float = field(default_factory=time.time)
    """Creation time, seconds since the epoch."""
    updated: float = field(default_factory=time.time)
    """Time of the last change."""

    def changed(
        self, *, env: Mapping[str, str] | None = None, metadata: Mapping[str, str] | None = None
    ) -> Session:
        """The next version of this session with new values."""
        return replace(
            self,
            env=self.env if env is None else MappingProxyType(dict(env)),
            metadata=self.metadata if metadata is None else MappingProxyType(dict(metadata)),
            version=self.version + 1,
            updated=time.time(),
        )


def new_session(
    env: Mapping[str, str] | None = None, metadata: Mapping[str, str] | None = None
) -> Session:
    """A first version with a fresh ULID as its id."""
    return Session(
        id=SessionId(new_ulid()),
        env=MappingProxyType(dict(env or {})),
        metadata=MappingProxyType(dict(metadata or {})),
    )
