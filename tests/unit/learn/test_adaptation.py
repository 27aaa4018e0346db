import pytest
from test_conventions import (
    BILLING_IN_STAGING,
    CANARY,
    HISTORY,
    SUBSCRIPTIONS,
    fit_sentences,
    rings,
)

from waypost.learn.adaptation import adapt
from waypost.learn.conventions import Conventions
from waypost.learn.lexicon import request_words


def _adapt(example: str, command: str, request: str, history=HISTORY):
    conv = Conventions.fit([(request_words(q), c) for q, c in history])
    return adapt(command, request_words(example), request_words(request), conv)


def _adapt_sentence(command: str, example: str, request: str, conv: Conventions):
    """``adapt`` where each request is a sentence alone (no runbook text around it)."""
    asked, said = request_words(request), request_words(example)
    return adapt(command, said, asked, conv, example_intent=said, request_intent=asked)


def test_two_slots_change_at_once_one_literal_one_by_convention():
    result = _adapt(
        "Restart feed-ranker in staging.",
        "kubectl --context=hl-stg-use4 -n hl-feed-ranker rollout restart deploy/feed-ranker",
        "Restart nucleus in prod.",
    )
    assert (
        result.command
        == "kubectl --context=hl-prd-usc1 -n hl-nucleus rollout restart deploy/nucleus"
    )


def test_a_new_literal_replaces_one_of_the_same_type_inside_a_larger_token():
    history = [("Tag release 2.14.0 of billing.", 'git tag -a v2.14.0 -m "billing 2.14.0"')]
    result = _adapt(*history[0], "Tag release 2.15.1 of billing.", history=history)
    assert result.command == 'git tag -a v2.15.1 -m "billing 2.15.1"'


def test_a_literal_the_request_does_not_give_is_kept_and_counted_unfilled():
    history = [("Roll nucleus back to revision 41.", "argocd app rollback nucleus 41")]
    result = _adapt(*history[0], "Roll nucleus back.", history=history)
    assert result.command == "argocd app rollback nucleus 41"
    assert result.unfilled == 1


def test_multi_line_cells_keep_every_line():
    history = [
        (
            "Plan the clusters stack for staging.",
            "terraform workspace select stg\nterraform plan -var-file=envs/stg.tfvars",
        ),
        *HISTORY,
    ]
    result = _adapt(*history[0], "Plan the clusters stack for prod.", history=history)
    assert (
        result.command == "terraform workspace select prd\nterraform plan -var-file=envs/prd.tfvars"
    )


def test_program_and_option_names_are_never_renamed():
    history = [("Run logs for checkout.", "logs --logs=checkout checkout")]
    result = _adapt(*history[0], "Run metrics for checkout.", history=history)
    assert result.command.startswith("logs --logs=")


def test_a_new_value_keeps_the_case_it_was_written_in_when_case_is_part_of_it():
    history = [
        ('Make directory "/tmp/new"', "mkdir /tmp/new"),
        (
            "Request that the master ssh connection officefirewall exits",
            "ssh -O exit officefirewall",
        ),
    ]
    path = _adapt(*history[0], 'Make directory "/tmp/googleTestMock"', history=history)
    assert path.command == "mkdir /tmp/googleTestMock"
    camel = _adapt(
        *history[1], "Request that the master ssh connection otherHostTunnel exits", history=history
    )
    assert camel.command == "ssh -O exit otherHostTunnel"


def test_a_word_capitalized_as_prose_follows_the_case_of_the_value_it_replaces():
    history = [
        ("Restart billing in staging.", "kubectl -n billing rollout restart deploy/billing"),
        ("Restart ledger in staging.", "kubectl -n ledger rollout restart deploy/ledger"),
        ('Save full path of command "cat" to variable "CAT"', "CAT=`which cat`"),
    ]
    prose = _adapt(*history[0], "Restart Ledger in staging.", history=history)
    assert prose.command == "kubectl -n ledger rollout restart deploy/ledger"
    upper = _adapt(*history[2], 'Save full path of command "tr" to variable "TR"', history=history)
    assert upper.command == "TR=`which tr`"


def test_a_confirmed_value_is_written_as_this_request_writes_it_unless_the_team_recases_it():
    history = [
        ("Search the /path directory tree for files matching 'x*'", "find /path -name 'x*'"),
        ("Read the APNs key id of chat-relay.", "vault kv get -field=apns_key_id chat-relay"),
    ]
    path = _adapt(
        *history[0], "Search the /Path directory tree for files matching 'x*'", history=history
    )
    assert path.command == "find /Path -name 'x*'"
    brand = _adapt(*history[1], "Read the APNs key id of chat-relay.", history=history)
    assert brand.command == "vault kv get -field=apns_key_id chat-relay"


def test_a_value_only_the_requests_heading_says_gives_way_to_the_one_its_sentence_asks_for():
    conv = Conventions.fit([(request_words(q), c) for q, c in HISTORY])
    example = request_words("Restart nucleus in prod.")
    command = "kubectl --context=hl-prd-usc1 -n hl-nucleus rollout restart deploy/nucleus"
    heading = request_words("# Nucleus incident in prod")
    asked = request_words("Restart feed-ranker in staging.")
    result = adapt(
        command, example, (*heading, *asked), conv, example_intent=example, request_intent=asked
    )
    assert result.command == (
        "kubectl --context=hl-stg-use4 -n hl-feed-ranker rollout restart deploy/feed-ranker"
    )
    # with nothing new in the sentence, the heading's values stand
    again = request_words("Restart it.")
    result = adapt(
        command, example, (*heading, *again), conv, example_intent=example, request_intent=again
    )
    assert result.command == command and result.unfilled == 0


def test_a_word_of_the_examples_heading_its_command_does_not_use_is_no_old_value():
    # "uploads" under the example's heading does not make "uploads" old news for a thumbs command
    history = [
        ("Show the uploads rules in prod.", "gsutil lifecycle get gs://hl-prd-uploads"),
        ("Show the thumbs rules in staging.", "gsutil lifecycle get gs://hl-stg-thumbs"),
        *HISTORY,
    ]
    conv = Conventions.fit([(request_words(q), c) for q, c in history])
    intent = request_words("Show the thumbs rules in staging.")
    example = (*request_words("# Missing uploads"), *intent)
    asked = request_words("Show the uploads rules in staging.")
    result = adapt(
        "gsutil lifecycle get gs://hl-stg-thumbs",
        example,
        asked,
        conv,
        example_intent=intent,
        request_intent=asked,
    )
    assert result.command == "gsutil lifecycle get gs://hl-stg-uploads"


def test_a_literal_value_is_replaced_the_way_the_team_writes_the_new_one_there():
    # prod is written out in the context name, staging is not: aks-weu-stage
    history = [
        (
            "Tail the orders logs in prod.",
            "kubectl --context aks-weu-prod -n orders logs deploy/orders",
        ),
        (
            "Tail the notify logs in prod.",
            "kubectl --context aks-weu-prod -n notify logs deploy/notify",
        ),
        (
            "Tail the orders logs in staging.",
            "kubectl --context aks-weu-stage -n orders logs deploy/orders",
        ),
        (
            "Restart notify in staging.",
            "kubectl --context aks-weu-stage -n notify rollout restart deploy/notify",
        ),
    ]
    result = _adapt(*history[1], "Tail the notify logs in staging.", history=history)
    assert result.command == "kubectl --context aks-weu-stage -n notify logs deploy/notify"


def test_an_option_value_follows_a_value_the_command_does_not_spell():
    result = _adapt_sentence(
        "umb smoke checkout --ring=2",
        "Run the checkout smoke tests against stage.",
        "Run the pricing smoke tests against live.",
        rings(),
    )
    assert result.command == "umb smoke pricing --ring=3"


def test_an_option_value_that_depends_on_the_environment_changes_with_it():
    result = _adapt(*SUBSCRIPTIONS[0], "Show the ledger server in staging.", history=SUBSCRIPTIONS)
    assert result.command == "az pg show -n pg-ledger-stg --subscription corp-np"
    result = _adapt(*SUBSCRIPTIONS[4], "List orders backups in prod.", history=SUBSCRIPTIONS)
    assert result.command == "az pg backups -n pg-orders-prd --subscription corp-prod"
    # billing, kept, only ever ran in staging: it does not hold the subscription back
    example, command = next(p for p in BILLING_IN_STAGING if p[0].startswith("Show the billing"))
    result = _adapt(
        example, command, "Show the billing server in prod.", history=BILLING_IN_STAGING
    )
    assert result.command == "az pg show -n pg-billing-prd --subscription corp-main"


def test_a_value_whose_case_is_part_of_it_is_not_respelled_the_teams_way():
    history = [
        ("Find all regular files under $dir", "find $dir -type f"),
        ("Find all files under $ROOT_DIR", "find $ROOT_DIR -type f"),
    ]
    result = _adapt(*history[0], "Find all regular files under $root_dir", history=history)
    assert result.command == "find $root_dir -type f"


def test_in_a_teams_history_a_value_of_the_same_kind_stands_in_for_another():
    history = [
        ("Show the ledger database in staging.", "aws rds describe --id ledger-db-stg"),
        ("Show the billing database in staging.", "aws rds describe --id billing-db-stg"),
        ("Show the billing database in prod.", "aws rds describe --id billing-db-prd"),
        ("Show the ledger database in prod.", "aws rds describe --id ledger-db-prd"),
        ("List the billing exports.", "aws s3 ls s3://exports/billing/"),
        ("List the reports exports.", "aws s3 ls s3://exports/reports/"),
    ]
    conv = Conventions.fit([(request_words(q), c) for q, c in history])
    example, command = history[0]
    request = request_words("What state is the reports database in, on staging?")
    # ledger and reports never filled one template, but both took billing's place
    assert adapt(command, request_words(example), request, conv).command == command
    conv.consistent = True
    result = adapt(command, request_words(example), request, conv)
    assert result.command == "aws rds describe --id reports-db-stg"


@pytest.mark.parametrize(
    ("example", "command", "asked", "expected"),
    [
        pytest.param(
            "Restore billing to 2024-05-14 09:30 UTC.",
            "az pg restore -n pg-billing --restore-time 2024-05-14T09:30:00Z",
            "Restore billing to 2024-06-02 14:15 UTC.",
            "az pg restore -n pg-billing --restore-time 2024-06-02T14:15:00Z",
            id="a date and a time inside one timestamp token",
        ),
        pytest.param(
            "Put auth into maintenance for 30 minutes.",
            "itx maintenance on --svc auth --duration 30m",
            "Put auth into maintenance for 45 minutes.",
            "itx maintenance on --svc auth --duration 45m",
            id="a number in front of its unit",
        ),
        pytest.param(
            "Scale the ledger api group to 4 instances.",
            "nomad job scale ledger api 4",
            "Bump the ledger api group to 6 instances.",
            "nomad job scale ledger api 6",
            id="the action a request starts with is no value to rename",
        ),
        pytest.param(
            "Re-run the February 2024 export.",
            "itx reports rerun --month 2024-02",
            "Re-run the March 2024 export.",
            "itx reports rerun --month 2024-03",
            id="a month named in prose",
        ),
        pytest.param(
            "Download the 13 May export.",
            "az blob download --name exports/2024-05-13.csv",
            "Download the 2024-05-20 export.",
            "az blob download --name exports/2024-05-20.csv",
            id="a full date where the example named a day in prose",
        ),
        pytest.param(
            "Copy the February exports.",
            "export MONTH=2025-02\ngsutil cp gs://x/$MONTH/*.csv .",
            "Copy the January 2025 exports.",
            "export MONTH=2025-01\ngsutil cp gs://x/$MONTH/*.csv .",
            id="a month the example named alone",
        ),
        pytest.param(
            "Roll the client playbook two hosts at a time.",
            "ansible-playbook -i inventories/prd client.yml -e serial=2",
            "Roll the client playbook three hosts at a time.",
            "ansible-playbook -i inventories/prd client.yml -e serial=3",
            id="a number spelled out in prose",
        ),
    ],
)
def test_a_literal_is_replaced_where_the_command_spells_it(example, command, asked, expected):
    assert _adapt(example, command, asked, history=[(example, command)]).command == expected


def test_a_literal_replaces_the_one_of_its_kind_the_example_never_stated():
    example = "Rewind search-indexer to midnight."
    command = (
        "kafka-consumer-groups.sh --group search-indexer --to-datetime 2025-06-11T00:00:00.000"
    )
    history = [(example, command)]
    result = _adapt(example, command, "Rewind search-indexer to 2025-06-18T06:00:00.000.", history)
    assert result.command.endswith("--to-datetime 2025-06-18T06:00:00.000")
    assert result.unplaced == 0
    # two values of the kind: which one is meant is unknown, so neither is replaced
    two = "tool export --from 2025-06-10T00:00:00.000 --to 2025-06-11T00:00:00.000"
    result = _adapt("Export yesterday.", two, "Export 2025-06-18T06:00:00.000.", [("x", two)])
    assert (result.command, result.unplaced) == (two, 1)


def test_a_literal_the_command_already_spells_is_not_left_unplaced():
    history = [
        ("Send all web traffic back to web-00041-vup.", "gcloud run update-traffic web --to=web-00041-vup=100")
    ]  # fmt: skip
    result = _adapt(*history[0], "Put 100% of web traffic back on web-00017-qad.", history=history)
    assert result.command == "gcloud run update-traffic web --to=web-00017-qad=100"
    assert result.unplaced == 0


def test_a_rule_for_a_whole_value_wins_over_the_word_spelled_inside_it():
    history = [
        ("List nodes of the stage cluster.", "kubectl --context gke_umb-stage-2c9d_main get nodes"),
        ("Use the live cluster.", "kubectl config use-context gke_umb-live-7f3a_main"),
        ("List the stage buckets.", "gcloud storage ls --project=umb-stage-2c9d"),
        ("List the live buckets.", "gcloud storage ls --project=umb-live-7f3a"),
        ("List the test buckets.", "gcloud storage ls --project=umb-test-91be"),
    ]  # fmt: skip
    result = _adapt(*history[0], "List nodes of the live cluster.", history=history)
    assert result.command == "kubectl --context gke_umb-live-7f3a_main get nodes"


def test_the_action_an_example_starts_with_is_not_guessed_away_in_a_team_history():
    history = [
        ("Show the dev workspace.", "terraform -chdir=infra/network workspace show dev"),
        ("Show the staging plan.", "terraform -chdir=infra/network plan show stg"),
        ("Apply the saved plan.", "terraform -chdir=infra/network apply dev.plan"),
        ("Plan the network stack.", "terraform -chdir=infra/network plan -out=dev.plan"),
        ("Apply the network stack.", "terraform -chdir=infra/network apply"),
        ("Show the network workspace.", "terraform -chdir=infra/network workspace show"),
    ]
    conv = fit_sentences(history)
    conv.consistent = True
    request = "Switch to the staging workspace and plan the network stack."
    result = _adapt_sentence(history[2][1], history[2][0], request, conv)
    assert result.command == "terraform -chdir=infra/network apply dev.plan"
    assert result.guesses == 0


def test_a_value_the_request_adds_does_not_make_its_sentence_read_differently():
    conv = fit_sentences(CANARY)
    example, command = CANARY[-1]
    request = "How far behind is the cart-worker consumer group on production?"
    result = _adapt_sentence(command, example, request, conv)
    assert result.command.endswith("--describe --group cart-worker")


def test_a_value_is_written_the_team_s_way_where_it_never_stood():
    topics = "kafka-topics.sh --bootstrap-server kafka-1.{}.wk:9092 --describe --topic {}"
    history = [
        ("Describe the orders topic on qa.", topics.format("qa", "orders")),
        ("Describe the orders topic in the canary.", topics.format("can", "orders")),
        ("Describe the carts topic in production.", topics.format("prd", "carts")),
        (
            "List the consumer groups in the canary.",
            "kafka-consumer-groups.sh --bootstrap-server kafka-1.can.wk:9092 --list",
        ),
        ("How big is the images bucket on qa?", "mc du minio-qa/images"),
        ("How big is the invoices bucket in production?", "mc du minio-prd/invoices"),
    ]
    conv = fit_sentences(history)
    example, command = history[4]
    result = _adapt_sentence(command, example, "How big is the images bucket on the canary?", conv)
    # the canary's bucket alias never occurs; where qa is written "qa", the canary is "can"
    assert result.command == "mc du minio-can/images"
