"""What a fitted history knows about itself: consistency, and cheap extension."""

from conftest import markup, run
from waypost.learn.eventlog import MemoryEventLog
from waypost.learn.history import History
from waypost.learn.learner import Learner
from waypost.learn.query import QueryCell, build_query
from waypost.learn.ranking import rank
from waypost.learn.store import MemoryStore

TEAM = [
    (
        "Restart checkout in prod.",
        "kubectl --context=acme-prod -n checkout rollout restart deploy/checkout",
    ),
    ("Restart auth in dev.", "kubectl --context=acme-dev -n auth rollout restart deploy/auth"),
    (
        "Restart search in staging.",
        "kubectl --context=acme-staging -n search rollout restart deploy/search",
    ),
    ("Tail the search logs in dev.", "kubectl --context=acme-dev -n search logs deploy/search -f"),
    ("Tail the auth logs in prod.", "kubectl --context=acme-prod -n auth logs deploy/auth -f"),
]

CORPUS = [  # one request, a different one-liner each time (as in a corpus of answers)
    ("Count the lines of file.txt.", "wc -l file.txt"),
    ("Count the lines of notes.txt.", "cat notes.txt | wc -l"),
    ("Count the lines of data.txt.", "awk 'END {print NR}' data.txt"),
    ("Count the lines of todo.txt.", "grep -c '' todo.txt"),
    ("Count the lines of list.txt.", "sed -n '$=' list.txt"),
]


def _examples(pairs):
    events = [
        run(f"c{i}", cmd, [markup(q)], ts=f"2024-01-01T00:00:{i:02d}Z")
        for i, (q, cmd) in enumerate(pairs)
    ]
    store = MemoryStore()
    Learner(MemoryEventLog(events), store).poll()
    return store.since(0)[0]


def test_a_team_that_runs_the_same_command_on_other_values_is_consistent():
    assert History.fit(_examples(TEAM)).consistency > 0.9


def test_a_corpus_that_answers_one_request_in_many_ways_is_not():
    assert History.fit(_examples(CORPUS)).consistency < 0.5


def test_an_extended_history_finds_the_new_example_and_forgets_the_one_it_replaces():
    examples = _examples(TEAM)
    history = History.fit(examples)
    new = _examples([("Show the disk usage of the data volume.", "df -h /data")])
    extended = history.extend(new)
    assert extended.tail == 1 and history.tail == 0
    query = build_query([QueryCell("markup", "Show the disk usage of the data volume.")])
    assert rank(extended, query)[0].command == "df -h /data"
    assert not rank(history, query) or rank(history, query)[0].command != "df -h /data"
    # the same request run again with another command replaces the example
    again = _examples([("Show the disk usage of the data volume.", "du -sh /data")])
    replaced = extended.extend([again[0]])
    assert replaced.n == len(examples) + 1
    assert [c.command for c in rank(replaced, query)][:1] == ["du -sh /data"]
