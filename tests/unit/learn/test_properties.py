"""Properties of reading requests and adapting commands that must hold for any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from waypost.learn.adaptation import adapt
from waypost.learn.conventions import Conventions, option_values, raw_tokens
from waypost.learn.lexicon import request_words

REQUEST_WORDS = st.sampled_from(
    ["restart", "billing", "in", "prod", "staging", "don't", "do", "not", "never", "before", "we",
     "so", "the", "pods", "13", "May", "March", "2024", "June", "2,", "30", "minutes", "batch_size",
     "on-call", "$root_dir", '"quoted', "text\"", "frozen", ",", ";", "just", "not just", "é", ""]
)  # fmt: skip
REQUEST = st.lists(REQUEST_WORDS, max_size=14).map(" ".join)

COMMAND_TOKENS = st.sampled_from(
    ["kubectl", "--context", "aks-weu-prod", "-n", "billing", "rollout", "restart", "|", "grep",
     "-v", "x", "--since=30m", "2024-05-13T09:30:00Z", "FOO=1", "&&", ";", "'a b'", "\n", "az",
     "--subscription", "corp-np", "=", "-", "--"]
)  # fmt: skip
COMMAND = st.lists(COMMAND_TOKENS, min_size=1, max_size=12).map(" ".join)

HISTORY = [
    ("Restart billing in prod.", "kubectl --context aks-weu-prod -n billing rollout restart deploy/billing"),
    ("Restart ledger in staging.", "kubectl --context aks-weu-stage -n ledger rollout restart deploy/ledger"),
    ("Show billing in staging for 30 minutes.", "az show billing --subscription corp-np --since=30m"),
    ("Show ledger in prod on 13 May.", "az show ledger --subscription corp-prod --day 2024-05-13"),
]  # fmt: skip
CONV = Conventions.fit([(request_words(q), c) for q, c in HISTORY])


@given(REQUEST)
def test_request_words_are_numbered_in_order(text: str) -> None:
    words = request_words(text)
    assert [w.index for w in words] == list(range(len(words)))
    assert all(w.text for w in words)


@given(COMMAND)
def test_option_values_lie_inside_the_command(command: str) -> None:
    tokens = raw_tokens(command)
    for _slot, start, end in option_values(command):
        assert 0 <= start < end <= len(command)
        assert any(a <= start and end <= b for a, b in tokens)


@settings(max_examples=200)
@given(st.sampled_from(HISTORY), REQUEST)
def test_adaptation_never_renames_the_program_or_an_option(
    example: tuple[str, str], request: str
) -> None:
    asked, command = example
    result = adapt(command, request_words(asked), request_words(request), CONV)

    def options(text: str) -> list[str]:
        return [t.split("=")[0] for t in text.split() if t.startswith("-")]

    assert result.command.split()[0] == command.split()[0]
    assert options(result.command) == options(command)
    assert result.command.count("\n") == command.count("\n")
