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
    assert [c.value for c in query.cells] == [
        "# Incident",  # the notebook's setting
        "Some context.",
        "Restart checkout in prod.",
    ]
    assert query.intent == "Restart checkout in prod."
    assert query.context == "# Incident\n\nSome context."


def test_the_notebooks_title_and_opening_paragraph_are_the_setting_of_every_request():
    cells = [
        ContextCell("markup", "# Reports jobs failing"),
        ContextCell("markup", "Scheduled reports jobs kept failing in dev."),
        ContextCell("markup", "Tail the reports errors."),
        ContextCell("code", "aws logs tail /ecs/dvl/reports"),
        ContextCell("markup", "Restart the reports service."),
    ]
    setting = ["# Reports jobs failing", "Scheduled reports jobs kept failing in dev."]
    later = build_query(cells)
    assert [c.value for c in later.cells] == [*setting, "Restart the reports service."]
    assert later.intent == "Restart the reports service."
    # the first request's own query is the markup above it, once
    first = build_query(cells, index=3)
    assert [c.value for c in first.cells] == [*setting, "Tail the reports errors."]
    # the sentence right above the first code cell is that cell's request, not the setting
    plain = [ContextCell("markup", "Tail the errors."), *cells[3:]]
    assert [c.value for c in build_query(plain).cells] == ["Restart the reports service."]


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


def test_the_query_from_a_parsed_event_context_is_the_same_as_from_cells():
    from dataclasses import asdict

    from waypost.learn.query import build_query_raw

    cells = [
        ContextCell("markup", "# Incident"),
        ContextCell("code", "kubectl get pods", "sh"),
        ContextCell("markup", "<!-- hidden -->"),
        ContextCell("markup", "Some context."),
        ContextCell("markup", "   "),
        ContextCell("markup", "Restart checkout in prod."),
    ]
    raw = [asdict(c) for c in cells]
    for end in range(len(cells) + 1):
        assert build_query_raw(raw[:end]) == build_query(cells[:end])
    assert build_query_raw("not a list").cells == ()
