"""Every finished cell becomes a learning event with its lineage."""

from __future__ import annotations

from waypost.learn.events import MemoryEventSink
from waypost.notebook import parse
from waypost.runner import Runner


def test_finished_cell_emits_an_execute_event_with_context(tmp_path):
    path = tmp_path / "book.md"
    path.write_text(
        "# Deploy\n\n"
        '```sh {"id":"01HF7BT3HD84GWTQB8ZCWPH803","name":"first"}\necho one\n```\n\n'
        '```sh {"id":"01HF7BT3HD84GWTQB8ZEBC4E7R","name":"second"}\n$ exit 3\n```\n'
    )
    notebook = parse(path.read_bytes())
    sink = MemoryEventSink()
    with Runner(sink=sink, source="cli") as runner:
        index = notebook.find("01HF7BT3HD84GWTQB8ZEBC4E7R")
        execution = runner.run_cell(notebook, index, document=path, interactive=False)
        assert execution.wait().exit_code == 3
    [event] = sink.events
    assert event.type == "execute"
    data = event.data
    assert data["cell_id"] == "01HF7BT3HD84GWTQB8ZEBC4E7R"
    assert data["name"] == "second"
    assert data["command"].strip() == "exit 3"  # as run: the prompt removed
    assert data["language"] == "sh"
    assert data["exit_code"] == 3
    assert data["source"] == "cli"
    assert data["session_id"] == execution.session_id
    assert data["notebook"] == str(path)
    assert [c["kind"] for c in data["context"]] == ["markup", "code"]
    assert data["context"][1]["id"] == "01HF7BT3HD84GWTQB8ZCWPH803"


def test_cell_id_reaches_the_program_as_runme_id(tmp_path):
    path = tmp_path / "book.md"
    path.write_text('```sh {"id":"01HF7BT3HD84GWTQB8ZCWPH803"}\necho "$RUNME_ID"\n```\n')
    notebook = parse(path.read_bytes())
    with Runner() as runner:
        result = runner.run_cell(notebook, 0, document=path, interactive=False).wait()
    assert result.last_output == b"01HF7BT3HD84GWTQB8ZCWPH803\n"
