import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from waypost.cli.main import app
from waypost.learn import events as ev

SHARED_EVAL = Path(__file__).resolve().parents[4] / "shared" / "eval"


def test_learn_reads_the_log_once_and_then_has_nothing_new(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WAYPOST_STATE_DIR", str(tmp_path))
    sink = ev.JsonlEventSink(tmp_path / "events")
    sink.emit(
        ev.execute(
            cell_id="c1",
            command="ls -l",
            language="sh",
            exit_code=0,
            duration_ms=1,
            context=[ev.ContextCell("markup", "List files.")],
        )
    )
    runner = CliRunner()
    first = runner.invoke(app, ["learn", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["examples_added"] == 1
    second = runner.invoke(app, ["learn", "--json"])
    assert json.loads(second.output)["examples_added"] == 0


@pytest.mark.skipif(not SHARED_EVAL.is_dir(), reason="shared/eval is not next to this checkout")
def test_eval_prints_every_case_and_totals_per_kind():
    result = CliRunner().invoke(app, ["eval", str(SHARED_EVAL / "acme")])
    assert result.exit_code == 0, result.output
    assert "024-disk.md" in result.output and "(abstained)" in result.output
    assert "verbatim" in result.output


def test_eval_of_a_folder_that_is_not_a_dataset_is_an_error(tmp_path: Path):
    result = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert result.exit_code != 0
