"""``waypost eval`` on the shared datasets, with the issue's thresholds."""

import pytest

from waypost.learn.assistant import OfflineAssistant
from waypost.learn.evaluation import EvalReport, evaluate, load_dataset, train_events
from waypost.learn.eventlog import MemoryEventLog
from waypost.learn.learner import Learner
from waypost.learn.query import build_query
from waypost.learn.store import MemoryStore


def test_train_notebooks_become_execute_events_in_order(shared_eval):
    dataset = load_dataset(shared_eval / "acme")
    events = train_events(dataset)
    assert all(e.type == "execute" and e.data["source"] == "eval-train" for e in events)
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    assert {c.kind for c in dataset.cases} == {"F", "C", "S", "N"}


def test_acme_learns_nothing_from_eval_traffic_and_abstains_on_n(shared_eval):
    report = evaluate(shared_eval / "acme", embeddings=False)
    assert report.learned_from_eval == 0
    totals = EvalReport.totals(report.results)
    assert totals["N"].answered == 0
    assert totals["all"].precision == 1.0  # every suggestion it makes on acme is exact
    fcs = [r for r in report.results if r.kind in "FCS"]
    assert sum(r.exact for r in fcs) >= 22  # the issue's 95%
    baseline = EvalReport.totals(report.baseline)
    assert baseline["all"].answered == baseline["all"].cases  # verbatim never abstains


def test_acme_meets_the_issue_thresholds(shared_eval):
    report = evaluate(shared_eval / "acme", embeddings=False)
    fcs = [r for r in report.results if r.kind in "FCS"]
    assert sum(r.exact for r in fcs) >= 0.95 * len(fcs)


@pytest.mark.slow
@pytest.mark.xfail(reason="issue target not met yet: 25/35 exact (bench/RESULTS.md)")
def test_hooli_meets_the_issue_thresholds(shared_eval):
    report = evaluate(shared_eval / "hooli", embeddings=False)
    scored = [r for r in report.results if r.kind in "FCSPMD"]
    assert sum(r.exact for r in scored) >= 0.8 * len(scored)
    assert sum(r.distance for r in scored) / len(scored) < 0.10
    assert EvalReport.totals(report.results)["N"].answered <= 1


def test_json_rows_name_the_file_and_give_null_when_abstaining(shared_eval):
    data = evaluate(shared_eval / "acme", embeddings=False).to_json()
    rows = {r["file"]: r for r in data["cases"]}
    assert rows["024-disk.md"]["prediction"] is None
    assert {t["kind"] for t in data["totals"]} >= {"F", "C", "S", "N", "all"}
    assert data["baseline"]["provider"] == "verbatim"


def test_in_a_team_history_a_change_needing_an_unstated_value_loses_to_the_read(shared_eval):
    # hooli's nearest request by words raises a quota or sends traffic back; these ask to read
    dataset = load_dataset(shared_eval / "hooli")
    store = MemoryStore()
    Learner(MemoryEventLog(train_events(dataset)), store).poll()
    assistant = OfflineAssistant(store, embeddings=False)
    for case in dataset.cases:
        if case.name in ("033-thumbnailer-traffic-check.md", "034-tenant-quota-88120.md"):
            assert assistant.rank(build_query(case.cells))[0].command == case.expected
