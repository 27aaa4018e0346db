"""The store test suite runs against both backends: files/SQLite/memory and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.postgres import postgres_url
from waypost.store.database import Database


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with postgres_url() as url:
        if url is None:
            pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
        yield url


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    """A database handle for a team of its own: tests never see each other's rows."""
    db = Database(pg_url, team=f"team-{uuid.uuid4().hex[:8]}", max_size=8)
    yield db
    db.close()
