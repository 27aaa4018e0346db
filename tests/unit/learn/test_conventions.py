from waypost.learn.conventions import Conventions, argument_spans, find_literal, option_values
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
    # a date or a time may run into a letter; a bare number may not ("3e7a" holds no 3)
    assert find_literal("--at 2024-05-14T09:30:00Z", "2024-05-14") == [(5, 15)]
    assert find_literal("--at 2024-05-14T09:30:00Z", "09:30") == [(16, 21)]
    assert find_literal("hooli-prd-3e7a", "3") == []
    assert find_literal("--duration 30m --size 2TB", "30") == [(11, 13)]


def test_program_and_option_names_are_never_argument_spans():
    command = "kubectl --context=x -n y get pods | wc -l"
    assert [command[a:b] for a, b in argument_spans(command)] == ["x", "y", "get", "pods"]


def test_an_unknown_word_that_spells_a_known_value_in_full_reads_as_it():
    conv = _fit()
    (word,) = request_words("production")
    assert conv.canonical(word).text == "prod"


AWS = [
    ("Tail billing logs in prod.", "aws logs tail /ecs/prd/billing --region us-west-2"),
    ("Tail ledger logs in prod.", "aws logs tail /ecs/prd/ledger --region us-west-2"),
    ("Restart billing in prod.", "itx restart billing --region us-west-2"),
    ("Tail auth logs in staging.", "aws logs tail /ecs/stg/auth --region eu-west-1"),
    ("Restart search in staging.", "itx restart search --region eu-west-1"),
    ("Restart auth in staging.", "itx restart auth --region eu-west-1"),
    ("Tail search logs in dev.", "aws logs tail /ecs/dvl/search --region us-east-1"),
    ("Restart ledger in dev.", "itx restart ledger --region us-east-1"),
]


def test_a_value_can_be_realized_by_a_whole_compound_whose_atoms_say_nothing_alone():
    # us-west-2 and us-east-1 share "us", us-west-2 and eu-west-1 share "west"
    conv = Conventions.fit([(request_words(q), c) for q, c in AWS])
    assert conv.owner["us-west-2"] == "prod"
    assert dict(conv.rules("prod", "staging"))["us-west-2"] == "eu-west-1"
    assert dict(conv.rules("staging", "dev"))["eu-west-1"] == "us-east-1"
    assert "west" not in conv.owner


def test_an_atom_no_other_value_ever_replaces_is_no_convention():
    # most gsutil URLs were run under the "uploads" heading: "gs" is still not how it says uploads
    history = [
        ("# Missing uploads\nList the uploads in prod.", "gsutil ls gs://acme-prd-uploads/"),
        ("# Missing uploads\nList the thumbs in prod.", "gsutil ls gs://acme-prd-thumbs/"),
        ("# Missing uploads\nList the thumbs in staging.", "gsutil ls gs://acme-stg-thumbs/"),
        ("Show the exports in staging.", "gsutil ls gs://acme-stg-exports/"),
        ("Restart api in prod.", "kubectl --context=acme-prd rollout restart deploy/api"),
        ("Restart api in staging.", "kubectl --context=acme-stg rollout restart deploy/api"),
    ]
    conv = Conventions.fit([(request_words(q), c) for q, c in history])
    assert "gs" not in conv.owner
    assert conv.owner["prd"] == "prod"


def test_option_values_are_read_with_their_program():
    command = "FOO=1 az vm list -g rg-x --subscription=corp-prod | grep -v idle"
    found = [(slot, command[a:b]) for slot, a, b in option_values(command)]
    assert found == [
        (("az", "-g"), "rg-x"),
        (("az", "--subscription"), "corp-prod"),
        (("grep", "-v"), "idle"),
    ]


SUBSCRIPTIONS = [
    ("Show the orders server in prod.", "az pg show -n pg-orders-prd --subscription corp-prod"),
    ("Show the ledger server in prod.", "az pg show -n pg-ledger-prd --subscription corp-prod"),
    ("List ledger backups in prod.", "az pg backups -n pg-ledger-prd --subscription corp-prod"),
    ("Show the orders server in staging.", "az pg show -n pg-orders-stg --subscription corp-np"),
    ("List ledger backups in staging.", "az pg backups -n pg-ledger-stg --subscription corp-np"),
    ("Show the ledger server in dev.", "az pg show -n pg-ledger-dev --subscription corp-np"),
    ("List orders backups in dev.", "az pg backups -n pg-orders-dev --subscription corp-np"),
]


def test_an_option_value_that_follows_a_word_without_spelling_it_depends_on_it():
    conv = Conventions.fit([(request_words(q), c) for q, c in SUBSCRIPTIONS])
    rule = conv.dependent[("az", "--subscription")]
    assert (rule["prod"], rule["staging"], rule["dev"]) == ("corp-prod", "corp-np", "corp-np")
    # "-n pg-orders-stg" spells the service and the environment: it depends on neither alone
    assert ("az", "-n") not in conv.dependent


BILLING_IN_STAGING = [
    (q, c.replace("corp-prod", "corp-main"))
    for q, c in [
        *SUBSCRIPTIONS,
        (
            "List billing backups in staging.",
            "az pg backups -n pg-billing-stg --subscription corp-np",
        ),
        (
            "Show the billing server in staging.",
            "az pg show -n pg-billing-stg --subscription corp-np",
        ),
        (
            "Restart the billing server in staging.",
            "az pg restart -n pg-billing-stg --subscription corp-np",
        ),
        (
            "List payments backups in prod.",
            "az pg backups -n pg-payments-prd --subscription corp-prod",
        ),
        (
            "Show the payments server in prod.",
            "az pg show -n pg-payments-prd --subscription corp-prod",
        ),
        (
            "Restart the payments server in prod.",
            "az pg restart -n pg-payments-prd --subscription corp-prod",
        ),
    ]
]


def test_a_value_only_ever_seen_with_another_does_not_decide_the_option():
    conv = Conventions.fit([(request_words(q), c) for q, c in BILLING_IN_STAGING])
    # billing ran only in staging, payments only in prod: the environments, said more often,
    # decide the subscription
    rule = conv.dependent[("az", "--subscription")]
    assert rule == {"prod": "corp-main", "staging": "corp-np", "dev": "corp-np"}


RELEASE = "Release checkout through test, stage and live, one ring at a time."
RINGS = [
    (RELEASE, "Deploy 4.13.0 to test.", "umb deploy checkout 4.13.0 --ring=1"),
    (RELEASE, "Deploy 4.13.0 to stage.", "umb deploy checkout 4.13.0 --ring=2"),
    (RELEASE, "Smoke-test checkout on stage.", "umb smoke checkout --ring=2"),
    (RELEASE, "Deploy 4.13.0 to live.", "umb deploy checkout 4.13.0 --ring=3"),
    ("", "Freeze deploys on live.", "umb freeze on --ring=3"),
    ("", "List the pricing releases on stage.", "umb releases pricing --ring=2"),
    ("", "Roll pricing back to 2.8.0 on stage.", "umb rollback pricing --ring=2 --to=2.8.0"),
    ("", "Scrub the checkout data on test.", "umb db scrub checkout --ring=1"),
    ("", "List the checkout releases on live.", "umb releases checkout --ring=3"),
    *(
        (setting, f"List the {thing} on {env}.", f"gcloud {thing} list --project=umb-{env}-{id_}")
        for setting in ("", "Inventory.")
        for thing in ("instances", "buckets")
        for env, id_ in (("live", "7f3a"), ("stage", "2c9d"), ("test", "91be"))
    ),
]


def fit_sentences(history: list[tuple[str, str]], settings: list[str] | None = None) -> Conventions:
    """Conventions of ``(request, command)`` pairs, each request also its sentence alone
    (``settings``: the runbook text read before each request)."""
    settings = settings or [""] * len(history)
    return Conventions.fit(
        [(request_words(f"{s} {q}"), c) for s, (q, c) in zip(settings, history, strict=True)],
        [request_words(q) for q, _ in history],
    )


def rings() -> Conventions:
    return fit_sentences([(q, c) for _, q, c in RINGS], [s for s, _, _ in RINGS])


def test_an_option_value_depends_on_the_value_the_sentence_names_not_its_runbook():
    # the runbook names every ring; each step's sentence names the one it runs on, and the
    # services that ran on one ring only (pricing on stage) do not decide the ring
    assert rings().dependent[("umb", "--ring")] == {"test": "1", "stage": "2", "live": "3"}


CANARY = [
    (
        "Restart cart in the canary.",
        "kubectl --context wk-can -n shop-cart rollout restart deploy/cart",
    ),
    ("Show the search pods in the canary.", "kubectl --context wk-can -n shop-search get pods"),
    (
        "Restart mailer in production.",
        "kubectl --context wk-prd -n shop-mailer rollout restart deploy/mailer",
    ),
    ("Show the cart pods in production.", "kubectl --context wk-prd -n shop-cart get pods"),
    ("Show the search pods in production.", "kubectl --context wk-prd -n shop-search get pods"),
    (
        "How far behind is the checkout-worker consumer group?",
        "kafka-consumer-groups.sh --bootstrap-server kafka-1:9092 --describe --group checkout-worker",
    ),
]


def test_an_abbreviation_that_starts_its_word_is_a_convention():
    conv = fit_sentences(CANARY)
    assert (conv.owner["can"], conv.owner["prd"]) == ("canary", "production")


def test_an_abbreviation_beside_a_host_that_spells_it_is_still_a_convention():
    history = [
        *CANARY,
        ("Cordon can-k3s-3 on the canary.", "kubectl --context wk-can cordon can-k3s-3"),
        ("Drain can-k3s-2 on the canary.", "kubectl --context wk-can drain can-k3s-2"),
        ("Uncordon can-k3s-1 on the canary.", "kubectl --context wk-can uncordon can-k3s-1"),
        ("Cordon prd-k3s-3 in production.", "kubectl --context wk-prd cordon prd-k3s-3"),
        (
            "To compare with production, show the canary cart pods.",
            "kubectl --context wk-can -n shop-cart get pods",
        ),
    ]
    conv = fit_sentences(history)
    # the host can-k3s-3 spells "can"; the context wk-can beside it stands for the canary
    assert conv.owner["can"] == "canary"
    # one request that names both does not make them companions
    assert conv.exclusive("canary", "production")
