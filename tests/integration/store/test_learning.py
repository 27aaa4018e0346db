"""What the learner derives, in PostgreSQL: searched in the database, shared by replicas, per team."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator

import pytest

from waypost.learn import Learner, OfflineAssistant
from waypost.learn import events as ev
from waypost.learn.eventlog import Watermark, read_batch
from waypost.learn.records import example_from_execute
from waypost.store.database import Database
from waypost.store.events import PostgresEventLog, PostgresEventSink
from waypost.store.learning import PostgresLearnStore, search_terms

DEPLOYS = [
    ("Deploy the billing service to staging.", "deployctl push billing --env=staging"),
    ("Deploy the search service to staging.", "deployctl push search --env=staging"),
    ("Deploy the billing service to production.", "deployctl push billing --env=prod"),
    ("Show the disk usage of the build cache.", "du -sh /var/cache/build"),
    ("Tail the logs of the payments worker.", "kubectl logs -f deploy/payments-worker"),
]


def _execute(command: str, request: str, *, cell_id: str | None = None) -> ev.Event:
    return ev.execute(
        cell_id=cell_id or uuid.uuid4().hex,
        command=command,
        language="sh",
        exit_code=0,
        duration_ms=1.0,
        context=[ev.ContextCell(kind="markup", value=request)],
        source="test",
    )


def _examples(pairs):
    return [example_from_execute(_execute(cmd, req), None) for req, cmd in pairs]


class _Overtaken:
    """An event log that lets another learner commit while this one reads its first batch."""

    def __init__(self, log: PostgresEventLog, other: Learner) -> None:
        self.log, self.other, self.overtaken = log, other, False

    def read(self, since: Watermark):
        return self.log.read(since)

    def read_batch(self, since: Watermark, limit: int):
        batch = read_batch(self.log, since, limit)
        if not self.overtaken:
            self.overtaken = True
            self.other.poll()
        return batch


@pytest.fixture
def team(pg_url: str) -> Iterator[str]:
    return f"team-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def replicas(pg_url: str, team: str) -> Iterator[list[Database]]:
    """Three handles on one team's database, as three replicas would hold."""
    dbs = [Database(pg_url, team=team, max_size=4) for _ in range(3)]
    yield dbs
    for db in dbs:
        db.close()


def test_search_ranks_the_examples_that_share_the_requests_words(replicas):
    store = PostgresLearnStore(replicas[0])
    store.put_many(_examples(DEPLOYS))
    found = store.search("deploy billing to production please", 3)
    assert found[0].answer == "deployctl push billing --env=prod"
    assert {e.answer for e in found} <= {cmd for _, cmd in DEPLOYS[:3]}
    assert store.search("kubectl logs", 5)[0].answer == "kubectl logs -f deploy/payments-worker"
    assert store.search("!!! ???", 5) == []
    assert store.search("nothing matches zzzz", 5) == []


def test_newest_gives_the_latest_changes_oldest_first(replicas):
    store = PostgresLearnStore(replicas[0])
    for example in _examples(DEPLOYS):
        store.put(example)
    assert [e.answer for e in store.newest(2)] == [cmd for _, cmd in DEPLOYS[-2:]]
    assert len(store.newest(100)) == len(DEPLOYS)


def test_search_terms_are_safe_for_to_tsquery():
    assert search_terms("Drop the TABLE x; --'&|!:*") == ["drop", "table", "x"]
    assert search_terms("b b c") == ["b", "c"]


def test_a_team_sees_only_its_own_examples_records_and_watermarks(pg_url, replicas):
    mine = PostgresLearnStore(replicas[0])
    other_db = Database(pg_url, team=f"team-{uuid.uuid4().hex[:8]}", max_size=2)
    try:
        other = PostgresLearnStore(other_db)
        mine.put_many(_examples(DEPLOYS[:2]))
        other.put_many(_examples(DEPLOYS[3:]))
        assert len(mine) == 2 and len(other) == 2
        assert {e.answer for e in mine.since(0)[0]} == {cmd for _, cmd in DEPLOYS[:2]}
        assert other.search("deploy billing staging", 5) == []
        assert mine.search("disk usage build cache", 5) == []
    finally:
        other_db.close()


def test_replicas_learning_at_once_count_every_event_once(replicas):
    sink = PostgresEventSink(replicas[0])
    cell = uuid.uuid4().hex
    for _ in range(30):  # the same cell run 30 times
        sink.emit(_execute("make test", "Run the tests.", cell_id=cell))
    for request, command in DEPLOYS:
        sink.emit(_execute(command, request))
    learners = [
        Learner(PostgresEventLog(db, batch=7), PostgresLearnStore(db), batch=4) for db in replicas
    ]
    threads = [threading.Thread(target=learner.poll) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # and for certain: a replica reads a batch, another commits it (and all the rest) meanwhile
    sink.emit(_execute("make test", "Run the tests.", cell_id=cell))
    first = learners[0]
    slow = Learner(_Overtaken(first.source, first), PostgresLearnStore(replicas[1]), batch=4)
    slow.poll()
    store = PostgresLearnStore(replicas[1])
    assert store.record(cell).runs == 31
    assert len(store) == len(DEPLOYS) + 1
    assert all(learner.poll().examples == 0 for learner in learners)


def test_an_example_learned_by_one_replica_is_suggested_by_another(replicas):
    learned_by = PostgresLearnStore(replicas[0])
    learned_by.put_many(_examples(DEPLOYS))
    # replica C holds only the newest 2 examples: the oldest one comes from a database search
    assistant = OfflineAssistant(PostgresLearnStore(replicas[2]), embeddings=False, memory_limit=2)
    request, command = DEPLOYS[0]
    query = example_from_execute(_execute("?", request), None).query
    suggestion = assistant.suggest_query(query)
    assert assistant.in_database()
    assert assistant.history.n == 0  # the whole history was never loaded
    assert suggestion is not None
    assert suggestion.cells[0].value == command
    in_memory = OfflineAssistant(PostgresLearnStore(replicas[2]), embeddings=False)
    assert not in_memory.in_database()
    assert in_memory.suggest_query(query).cells[0].value == command


def test_waypost_learn_learns_into_the_configured_team_database(pg_url, team, replicas, tmp_path):
    sink = PostgresEventSink(replicas[0])
    for request, command in DEPLOYS:
        sink.emit(_execute(command, request))
    env = {**os.environ, "WAYPOST_STORE_URL": pg_url, "WAYPOST_SERVER_TEAM": team}
    done = subprocess.run(
        [sys.executable, "-m", "waypost", "learn", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout)["examples"] == len(DEPLOYS)
    assert len(PostgresLearnStore(replicas[1])) == len(DEPLOYS)
