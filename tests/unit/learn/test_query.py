from waypost.learn.events import ContextCell
from waypost.learn.query import build_query
from waypost.notebook import parse


def test_query_is_the_previous_cell_and_the_markup_run_before_it():
    cells = [
        ContextCell("markup", "# Incident"),
        ContextCell("code", "kubectl get pods"),
        ContextCell("markup", "Some context."),
        ContextCell("markup", "Restart checkout in prod."),
    ]
    query = build_query(cells)
    assert [c.value for c in query.cells] == ["Some context.", "Restart checkout in prod."]
    assert query.intent == "Restart checkout in prod."
    assert query.context == "Some context."


def test_a_previous_code_cell_is_part_of_the_query():
    cells = [
        ContextCell("markup", "Deploy, then watch."),
        ContextCell("code", "helm upgrade x"),
    ]
    query = build_query(cells)
    assert [c.kind for c in query.cells] == ["markup", "code"]
    assert query.intent == "Deploy, then watch."


def test_html_comments_and_blank_cells_are_not_part_of_the_query():
    cells = [ContextCell("markup", "<!-- kind: C -->"), ContextCell("markup", "Restart auth.")]
    assert [c.value for c in build_query(cells).cells] == ["Restart auth."]


def test_notebook_cells_and_event_cells_give_the_same_query():
    notebook = parse(b"# Title\n\nRestart auth in dev.\n\n```sh\nkubectl rollout restart x\n```\n")
    from_notebook = build_query(notebook.cells, index=2)
    from_events = build_query(
        [ContextCell("markup", "# Title"), ContextCell("markup", "Restart auth in dev.")]
    )
    assert from_notebook == from_events


def test_the_first_cell_has_an_empty_query():
    assert build_query([]).cells == ()
