from test_conventions import HISTORY

from waypost.learn.adaptation import adapt
from waypost.learn.conventions import Conventions
from waypost.learn.lexicon import request_words


def _adapt(example: str, command: str, request: str, history=HISTORY):
    conv = Conventions.fit([(request_words(q), c) for q, c in history])
    return adapt(command, request_words(example), request_words(request), conv)


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
