"""The store test suite runs against both backends: files/SQLite/memory and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from waypost.store.database import Database


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    """A database handle for a team of its own: tests never see each other's rows."""
    db = Database(pg_url, team=f"team-{uuid.uuid4().hex[:8]}", max_size=8)
    yield db
    db.close()
