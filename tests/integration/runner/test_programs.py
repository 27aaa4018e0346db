"""Languages run with the interpreters Runme picks; a missing one is a clear error."""

from __future__ import annotations

import shutil

import pytest

from waypost.errors import InterpreterNotFoundError
from waypost.notebook import parse
from waypost.runner import ExecuteRequest, Runner

from .conftest import collect


def _cell(runner: Runner, markdown: str, tmp_path, **overrides):
    path = tmp_path / "book.md"
    path.write_text(markdown)
    notebook = parse(path.read_bytes())
    index = next(i for i, c in enumerate(notebook.cells) if c.is_code)
    overrides.setdefault("interactive", False)
    return collect(runner.run_cell(notebook, index, document=path, **overrides).events())


def test_python_cell_runs_with_python3(runner: Runner, tmp_path):
    ran = _cell(runner, '```python\nimport sys\nprint("py", sys.version_info[0])\n```\n', tmp_path)
    assert ran.text == "py 3\n"
    assert ran.code == 0


def test_python_cell_sees_session_variables(runner: Runner, run):
    run("export FOR_PYTHON=42")
    ran = run(
        language="python",
        script='import os\nprint(os.environ["FOR_PYTHON"])',
    )
    assert ran.text == "42\n"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_cell_runs_with_node(runner: Runner, tmp_path):
    ran = _cell(runner, '```js\nconsole.log("from", "node")\n```\n', tmp_path)
    assert ran.text == "from node\n"


def test_interpreter_cat_prints_the_cell(runner: Runner, tmp_path):
    ran = _cell(runner, '```js {"interpreter":"cat"}\nHello runme\n```\n', tmp_path)
    assert ran.text == "Hello runme"


def test_unknown_language_falls_back_to_cat(runner: Runner, tmp_path):
    ran = _cell(runner, "```ini\n[section]\nkey = value\n```\n", tmp_path)
    assert ran.text == "[section]\nkey = value"


def test_cat_cell_named_like_a_variable_keeps_its_text(runner: Runner, run, tmp_path):
    path = tmp_path / "book.md"
    path.write_text('```text {"name":"GREETING"}\nhello from a cell\n```\n')
    notebook = parse(path.read_bytes())
    runner.run_cell(notebook, 0, document=path, session_id=run.session_id, interactive=False).wait()
    assert run('printf "%s" "$GREETING"').text == "hello from a cell"


def test_cell_interpreter_wins_over_frontmatter_shell(runner: Runner, tmp_path):
    markdown = '---\nshell: sh\n---\n\n```sh {"interpreter":"bash"}\necho "$BASH_VERSION"\n```\n'
    ran = _cell(runner, markdown, tmp_path)
    assert ran.text.strip()


def test_frontmatter_shell_runs_shell_cells(runner: Runner, tmp_path):
    markdown = '---\nshell: sh\n---\n\n```sh\necho "bash=${BASH_VERSION:-no}"\n```\n'
    ran = _cell(runner, markdown, tmp_path)
    assert ran.text == "bash=no\n"


def test_env_capture_works_in_posix_sh(runner: Runner, run):
    run("export FROM_SH='a b'", program="sh")
    assert run('echo "$FROM_SH"').text == "a b\n"


def test_missing_interpreter_is_an_error_naming_it(runner: Runner):
    with pytest.raises(InterpreterNotFoundError) as caught:
        runner.execute(ExecuteRequest(script="puts 1", language="ruby", program="no-such-ruby"))
    assert "no-such-ruby: command not found" in str(caught.value)
    assert caught.value.exit_code == 127


def test_missing_language_interpreter_names_every_candidate(runner: Runner):
    runner.system_env["PATH"] = "/nonexistent"
    with pytest.raises(InterpreterNotFoundError) as caught:
        runner.execute(ExecuteRequest(script="x", language="typescript"))
    assert "ts-node, deno, bun" in str(caught.value)


def test_large_script_runs_from_a_file(run):
    line = "echo " + "x" * 1000
    ran = run(*([line] * 200), "export AFTER_BIG=1")
    assert ran.code == 0
    assert ran.text.count("\n") == 200
    assert run('echo "$AFTER_BIG"').text == "1\n"


def test_program_mode_runs_the_program_with_its_arguments_only(run):
    from waypost.runner import CommandMode

    ran = run(program="echo", arguments=("just", "args"), mode=CommandMode.PROGRAM)
    assert ran.text == "just args\n"
