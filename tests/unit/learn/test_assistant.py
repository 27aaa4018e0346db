from conftest import markup, run
from waypost.learn.assistant import OfflineAssistant
from waypost.learn.eventlog import MemoryEventLog
from waypost.learn.learner import Learner
from waypost.learn.query import build_query
from waypost.learn.store import MemoryStore

HISTORY = [
    (
        "Restart checkout in prod.",
        "kubectl --context=acme-prod -n checkout rollout restart deploy/checkout",
    ),
    ("Tail the search logs in dev.", "kubectl --context=acme-dev -n search logs deploy/search -f"),
    ("Restart auth in dev.", "kubectl --context=acme-dev -n auth rollout restart deploy/auth"),
    ("Take a backup of the ledger database in prod.", "acmectl db backup ledger --env=prod"),
    ("Run the ledger migrations in staging.", "acmectl db migrate ledger --env=staging"),
]


def _assistant():
    log = MemoryEventLog(
        [
            run(f"c{i}", cmd, [markup(q)], ts=f"2024-01-01T00:00:{i:02d}Z")
            for i, (q, cmd) in enumerate(HISTORY)
        ]
    )
    store = MemoryStore()
    learner = Learner(log, store)
    learner.poll()
    return OfflineAssistant(store, embeddings=False), log, learner


def test_a_known_action_on_another_service_is_adapted():
    assistant, _, _ = _assistant()
    best = assistant.rank(build_query([markup("# Ops"), markup("Restart search in dev.")]))[0]
    assert best.command == "kubectl --context=acme-dev -n search rollout restart deploy/search"
    assert best.adaptation.substitutions == [("auth", "search")]
    assert 0.0 <= best.confidence <= 1.0


def test_a_well_supported_adaptation_is_suggested():
    assistant, _, _ = _assistant()
    suggestion = assistant.suggest([markup("# Ops"), markup("Restart search in dev.")])
    assert suggestion is not None
    assert suggestion.cells[0].value.endswith("rollout restart deploy/search")


def test_a_request_with_nothing_relevant_in_the_history_gets_no_suggestion():
    assistant, _, _ = _assistant()
    assert assistant.suggest([markup("What is the public IP address of this machine?")]) is None


def test_a_new_execution_is_used_by_the_next_suggestion():
    assistant, log, learner = _assistant()
    request = [markup("Show the disk usage of the data volume.")]
    assert assistant.suggest(request) is None
    log.emit(
        run(
            "new",
            "df -h /data",
            [markup("Show the disk usage of the data volume.")],
            ts="2024-01-02T00:00:00Z",
        )
    )
    learner.poll()
    suggestion = assistant.suggest(request)
    assert suggestion is not None and suggestion.cells[0].value == "df -h /data"


def test_retrieve_returns_the_nearest_examples_for_few_shot_prompts():
    assistant, _, _ = _assistant()
    examples = assistant.retrieve("Restart the auth service", k=2)
    assert len(examples) == 2
    assert "restart" in examples[0].answer


def _team(history: list[tuple[str, str]]) -> OfflineAssistant:
    log = MemoryEventLog(
        [
            run(f"t{i}", cmd, [markup(q)], ts=f"2024-01-01T00:00:{i:02d}Z")
            for i, (q, cmd) in enumerate(history)
        ]
    )
    store = MemoryStore()
    Learner(log, store).poll()
    return OfflineAssistant(store, embeddings=False)


def test_a_hyphenated_word_says_what_its_parts_said():
    assistant = _team(
        [
            ("Who is on call for payments?", "opsctl oncall who --team=payments"),
            ("Page the payments on-call engineer.", "opsctl oncall page --team=payments"),
        ]
    )
    ranked = assistant.rank(build_query([markup("Who's covering payments on-call?")]))
    assert ranked[0].command == "opsctl oncall who --team=payments"
    assert ranked[0].features.cover_example == 1.0
