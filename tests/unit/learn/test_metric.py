import pytest

from waypost.learn.metric import distance


def test_worked_checks_from_the_eval_readme():
    assert distance("gcloud -p acme --foo=bar baz", "gcloud acme --foo=lab baz") == pytest.approx(
        0.4
    )
    assert distance(
        "curl http://h/api/blocklogs/X | jq .", "wget -q -O - http://h/api/blocklogs/X | yq ."
    ) == pytest.approx(0.625)


def test_no_prediction_scores_one():
    assert distance(None, "ls") == 1.0


def test_lines_of_a_multi_line_cell_are_joined_and_comments_dropped():
    assert distance("a x\n# note\nb y", "a x ; b y") == 0.0
