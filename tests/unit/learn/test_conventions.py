from waypost.learn.conventions import Conventions, argument_spans, find_literal
from waypost.learn.lexicon import request_words

HISTORY = [
    (
        "Restart feed-ranker in staging.",
        "kubectl --context=hl-stg-use4 -n hl-feed-ranker rollout restart deploy/feed-ranker",
    ),
    (
        "Show feed-ranker pods in staging.",
        "kubectl --context=hl-stg-use4 -n hl-feed-ranker get pods",
    ),
    ("Show nucleus pods in prod.", "kubectl --context=hl-prd-usc1 -n hl-nucleus get pods"),
    (
        "Show nucleus logs in prod.",
        "kubectl --context=hl-prd-usc1 -n hl-nucleus logs deploy/nucleus",
    ),
    (
        "Restart nucleus in prod.",
        "kubectl --context=hl-prd-usc1 -n hl-nucleus rollout restart deploy/nucleus",
    ),
    ("Freeze deploys in prod.", "hctl freeze start --env=prd"),
    ("Freeze deploys in staging.", "hctl freeze start --env=stg"),
]


def _fit():
    return Conventions.fit([(request_words(q), c) for q, c in HISTORY])


def test_words_never_spelled_out_are_realized_by_convention():
    conv = _fit()
    assert conv.owner["prd"] == "prod"
    assert conv.owner["stg"] == "staging"
    assert conv.owner["usc1"] == "prod"


def test_values_in_the_same_template_are_siblings():
    conv = _fit()
    assert conv.sibling("prod", "staging") > 0
    assert conv.sibling("nucleus", "feed-ranker") > 0


def test_rules_carry_a_convention_from_one_value_to_another():
    rules = dict(_fit().rules("prod", "staging"))
    assert rules["prd-usc1"] == "stg-use4"
    assert rules["prd"] == "stg"


def test_literals_match_only_between_atom_boundaries():
    assert find_literal("deploy/checkout-v2", "checkout") == [(7, 15)]
    assert find_literal("checkouts", "checkout") == []
    assert find_literal("git tag v2.14.0", "2.14.0") == [(9, 15)]


def test_program_and_option_names_are_never_argument_spans():
    command = "kubectl --context=x -n y get pods | wc -l"
    assert [command[a:b] for a, b in argument_spans(command)] == ["x", "y", "get", "pods"]


def test_an_unknown_word_that_spells_a_known_value_in_full_reads_as_it():
    conv = _fit()
    (word,) = request_words("production")
    assert conv.canonical(word).text == "prod"
