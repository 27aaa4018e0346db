from conftest import code, markup, run, suggest
from waypost.learn.records import Outcome, apply_event, apply_generate, example_from_execute


def test_a_suggestion_run_unchanged_is_as_is():
    gen = suggest("c1", "ls -l", [markup("List files.")])
    record = apply_generate(None, "c1", "ls -l", gen)
    record = apply_event(record, run("c1", "ls -l", [markup("List files.")]))
    assert record.outcome is Outcome.AS_IS


def test_an_edited_suggestion_is_edited_and_the_example_has_the_edit():
    gen = suggest("c1", "ls -l", [markup("List files.")])
    record = apply_generate(None, "c1", "ls -l", gen)
    execute = run("c1", "ls -la", [markup("List files.")])
    record = apply_event(record, execute)
    assert record.outcome is Outcome.EDITED
    example = example_from_execute(execute, record)
    assert example is not None and example.answer == "ls -la"
    assert example.outcome == "edited"


def test_a_suggestion_never_run_is_ignored_and_a_cell_typed_by_hand_is_manual():
    gen = suggest("c1", "ls -l", [markup("List files.")])
    assert apply_generate(None, "c1", "ls -l", gen).outcome is Outcome.IGNORED
    assert apply_event(None, run("c2", "pwd", [markup("Where am I?")])).outcome is Outcome.MANUAL


def test_failed_runs_and_eval_traffic_teach_nothing():
    context = [markup("List files.")]
    assert example_from_execute(run("c", "ls", context, exit_code=1), None) is None
    assert example_from_execute(run("c", "ls", context, source="eval"), None) is None
    gen = suggest("c", "ls", context, source="eval")
    record = apply_generate(None, "c", "ls", gen)
    assert example_from_execute(run("c", "ls", context), record) is None


def test_a_multi_line_cell_is_learned_whole():
    answer = "export NS=x\nkubectl -n $NS get pods"
    example = example_from_execute(run("c", answer, [markup("Pods in x.")]), None)
    assert example is not None and example.answer == answer


def test_the_first_cell_of_a_notebook_teaches_nothing():
    assert example_from_execute(run("c", "ls", []), None) is None


def test_same_request_gives_same_key_whatever_the_case_and_spacing():
    a = example_from_execute(run("a", "ls", [markup("List  Files.")]), None)
    b = example_from_execute(run("b", "ls -1", [markup("list files.")]), None)
    assert a is not None and b is not None and a.key == b.key
    c = example_from_execute(run("c", "ls", [code("cd /tmp"), markup("List files.")]), None)
    assert c is not None and c.key == a.key
