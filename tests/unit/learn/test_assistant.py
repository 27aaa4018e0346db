from conftest import code, markup, run
from waypost.learn.assistant import OfflineAssistant
from waypost.learn.eventlog import MemoryEventLog
from waypost.learn.learner import Learner
from waypost.learn.lexicon import shell_tokens
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


def _assistant(history=HISTORY):
    log = MemoryEventLog(
        [
            run(f"c{i}", cmd, [markup(q)], ts=f"2024-01-01T00:00:{i:02d}Z")
            for i, (q, cmd) in enumerate(history)
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


def _titled_assistant() -> OfflineAssistant:
    """Runbooks whose requests never say where they ran: each says it once, at the top."""
    notebooks = {
        ("# Billing errors in prod", "Billing returned 5xx in prod."): [
            ("Tail the billing logs.", "aws logs tail /ecs/prd/billing --region us-west-2"),
            ("Restart billing.", "itx restart billing --env prd --region us-west-2"),
        ],
        ("# Auth key rotation in staging", "Rotating the auth keys in staging first."): [
            ("Tail the auth logs.", "aws logs tail /ecs/stg/auth --region eu-west-1"),
            ("Restart auth.", "itx restart auth --env stg --region eu-west-1"),
        ],
        ("# Slow search in dev", "Search got slow in dev after the reindex."): [
            ("Tail the search logs.", "aws logs tail /ecs/dvl/search --region us-east-1"),
            ("Restart search.", "itx restart search --env dvl --region us-east-1"),
        ],
        ("# Ledger release in prod", "Releasing ledger 3.8 in prod."): [
            ("Tail the ledger logs.", "aws logs tail /ecs/prd/ledger --region us-west-2"),
            ("Restart ledger.", "itx restart ledger --env prd --region us-west-2"),
        ],
    }
    events, n = [], 0
    for setting, steps in notebooks.items():
        context = [markup(s) for s in setting]
        for request, command in steps:
            context.append(markup(request))
            events.append(run(f"e{n}", command, list(context), ts=f"2024-01-01T00:00:{n:02d}Z"))
            context.append(code(command))
            n += 1
    store = MemoryStore()
    Learner(MemoryEventLog(events), store).poll()
    return OfflineAssistant(store, embeddings=False)


def test_the_environment_a_notebooks_title_names_is_learned_and_changed():
    assistant = _titled_assistant()
    best = assistant.rank(build_query([markup("# Task"), markup("Restart ledger in staging.")]))
    assert best[0].command == "itx restart ledger --env stg --region eu-west-1"


def test_the_environment_a_heading_names_wins_over_one_its_prose_mentions_in_passing():
    assistant = _titled_assistant()
    cells = [
        markup("# Ledger release rehearsal in staging"),
        markup("We rehearse in staging before doing it in prod."),
        markup("Tail the ledger logs."),
    ]
    best = assistant.rank(build_query(cells))
    assert best[0].command == "aws logs tail /ecs/stg/ledger --region eu-west-1"


def test_an_action_the_request_refuses_is_not_suggested():
    history = [
        ("Rotate the auth signing key in staging.", "vault rotate secret/stg/auth/signing-key"),
        ("Rotate the billing signing key in prod.", "vault rotate secret/prd/billing/signing-key"),
        *HISTORY,
    ]
    assistant, _, _ = _assistant(history)
    asked = assistant.suggest([markup("Rotate the billing signing key in staging.")])
    assert asked is not None and asked.cells[0].value.startswith("vault rotate")
    refused = assistant.suggest(
        [markup("Show the billing signing key in staging; don't rotate it.")]
    )
    assert refused is None


def test_a_compound_word_says_what_its_parts_said():
    history = [
        (
            "What batch size is the reports job using in prod?",
            "consul kv get cfg/reports/prd/batch",
        ),
        (
            "What batch size is the ledger job using in staging?",
            "consul kv get cfg/ledger/stg/batch",
        ),
        *HISTORY,
    ]
    assistant, _, _ = _assistant(history)
    query = build_query([markup("Which batch_size does the prod reports job read?")])
    best = assistant.rank(query)[0]
    assert best.command == "consul kv get cfg/reports/prd/batch"
    assert best.features.cover_example > 0.7  # "batch" and "size" were both asked


def test_a_service_named_like_an_action_does_not_ask_for_that_action():
    history = [
        ("Sync chat-relay in staging.", "argocd app sync chat-relay-stg"),
        ("Sync feed in prod.", "argocd app sync feed-prd"),
        (
            "Open a shell in a box-sync pod in sandbox.",
            "kubectl -n box-sync exec -it deploy/box-sync -- sh",
        ),
        ("Open a shell in a feed pod in prod.", "kubectl -n feed exec -it deploy/feed -- sh"),
        ("Restart box-sync in prod.", "kubectl -n box-sync rollout restart deploy/box-sync"),
        *HISTORY,
    ]
    assistant, _, _ = _assistant(history)
    request = [markup("Get me a shell inside box-sync in staging.")]
    suggestion = assistant.suggest(request)
    assert suggestion is not None
    assert suggestion.cells[0].value == "kubectl -n box-sync exec -it deploy/box-sync -- sh"
    # "sync" in "box-sync" is a name, not the action "Sync feed in prod." asked for
    sync = next(c for c in assistant.rank(build_query(request)) if "sync box-sync" in c.command)
    assert sync.features.cover_example < 0.6


def test_commands_the_shell_reads_alike_are_one_suggestion():
    history = [
        ("Find all java files here.", 'find . -name "*.java"'),
        ("List the java files in this directory.", "find .  -name \\*.java"),
        ("Find all python files here.", "find . -name '*.py'"),
        *HISTORY,
    ]
    assistant, _, _ = _assistant(history)
    ranked = assistant.rank(build_query([markup("Find the java files in this directory.")]))
    assert ranked[0].command in (history[0][1], history[1][1])
    assert len(ranked[0].others) == 1  # the other spelling joined it
    assert sum(shell_tokens(c.command) == ("find", ".", "-name", "*.java") for c in ranked) == 1
