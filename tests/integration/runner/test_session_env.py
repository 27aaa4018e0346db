"""Sessions carry environment from cell to cell, as Runme's do."""

from __future__ import annotations

import signal

from waypost.runner import ExecuteRequest, Runner, SessionStrategy, StopKind
from waypost.runner.environment import MAX_VALUE_BYTES


def test_exported_variable_reaches_next_cell(run):
    run("export TOKEN=abc123")
    assert run('echo "token=$TOKEN"').text == "token=abc123\n"


def test_unset_variable_is_gone_in_next_cell(run):
    run("export GONE=1")
    run("unset GONE")
    assert run('echo "${GONE-unset}"').text == "unset\n"


def test_values_with_newlines_quotes_and_unicode_survive(run):
    # $'...' is bash's: name it, since the default shell is $SHELL or sh
    run(
        "export TRICKY=$'line 1\\nit\\'s \"quoted\" $HOME `x` \\\\ \\t é \\x01'",
        program="bash",
    )
    assert run('printf "%s" "$TRICKY"').stdout == (
        b'line 1\nit\'s "quoted" $HOME `x` \\ \t \xc3\xa9 \x01'
    )


def test_exports_of_a_failing_cell_are_kept(run):
    failed = run("export BEFORE_FAILURE=yes", "false", "echo never")
    assert failed.code == 1
    assert "never" not in failed.text
    assert run('echo "$BEFORE_FAILURE"').text == "yes\n"


def test_killed_cell_does_not_wipe_the_session(runner: Runner, run):
    run("export KEEP=me")
    execution = runner.execute(
        ExecuteRequest(commands=("export LOST=1", "sleep 30"), session_id=run.session_id)
    )
    execution.stop(StopKind.KILL)
    assert execution.wait().exit_code == 128 + signal.SIGKILL
    env = runner.get_session(run.session_id).env
    assert env["KEEP"] == "me"
    assert "LOST" not in env


def test_last_output_is_available_as_double_underscore(run):
    run("echo first")
    # stored as written, final newline included (as Runme does)
    assert run('printf "previous: %s" "$__"').text == "previous: first\n"


def test_cell_named_like_a_variable_stores_its_output_under_that_name(run):
    run("echo stored text", known_name="MY_OUTPUT")
    run("echo other", known_name="lower-case-name")
    ran = run('printf "%s|%s" "$MY_OUTPUT" "${lower_case_name-none}"')
    assert ran.text == "stored text\n|none"


def test_last_output_is_not_stored_when_not_asked(run):
    run("echo kept")
    run("echo not kept", store_last_output=False)
    assert run('printf "%s" "$__"').text == "kept\n"


def test_huge_output_keeps_its_tail_in_double_underscore(run):
    run("head -c 300000 /dev/zero | tr '\\0' a; echo END")
    ran = run('printf "%s" "$__" | wc -c; printf "%s" "$__" | tail -c 4')
    size, tail = ran.text.split("\n")[:2]
    assert int(size) < MAX_VALUE_BYTES
    assert tail == "END"


def test_oversized_export_is_refused_with_a_warning_and_later_cells_still_start(run):
    big = run("export BIG=$(head -c 200000 /dev/zero | tr '\\0' x)", program="bash")
    assert any("BIG was not stored" in w for w in big.result.warnings)
    assert run("echo still runs", program="bash").text == "still runs\n"


def test_oversized_export_in_sh_is_reported_and_keeps_the_session(run):
    # sh lists its variables with `env`, which the kernel will not start with a 200 KB value
    run("export KEEP=me", program="sh")
    big = run("export BIG=$(head -c 200000 /dev/zero | tr '\\0' x)", program="sh")
    assert any("could not list them" in w for w in big.result.warnings)
    assert run('echo "$KEEP ${BIG-gone}"', program="sh").text == "me gone\n"


def test_request_env_is_merged_into_the_session(run):
    run("true", env={"FROM_REQUEST": "r"})
    assert run('echo "$FROM_REQUEST"').text == "r\n"


def test_run_env_is_not_stored(run):
    assert run('echo "$RUNME_ID"', run_env={"RUNME_ID": "cell-1"}).text == "cell-1\n"
    assert run('echo "${RUNME_ID-none}"').text == "none\n"


def test_execution_without_session_gets_a_new_one_seeded_from_the_system(runner: Runner):
    runner.system_env["SEEDED"] = "from system"
    execution = runner.execute(ExecuteRequest(commands=("export NEW_ONE=1", 'echo "$SEEDED"')))
    assert execution.wait().last_output == b"from system\n"
    session = runner.get_session(execution.session_id)
    assert session.env["NEW_ONE"] == "1"


def test_most_recent_strategy_reuses_the_latest_session(runner: Runner):
    first = runner.execute(ExecuteRequest(commands=("export SHARED=1",)))
    first.wait()
    second = runner.execute(
        ExecuteRequest(commands=('echo "$SHARED"',), session_strategy=SessionStrategy.MOST_RECENT)
    )
    assert second.wait().last_output == b"1\n"
    assert second.session_id == first.session_id


def test_project_env_files_seed_a_session(runner: Runner, tmp_path):
    (tmp_path / ".env").write_text("FROM_ENV=env\nBOTH=env\n")
    (tmp_path / ".env.local").write_text("BOTH=local\n")
    session = runner.create_session(project=tmp_path)
    assert session.env["FROM_ENV"] == "env"
    assert session.env["BOTH"] == "local"


def test_two_cells_of_one_session_run_at_once_and_both_keep_their_exports(runner: Runner, run):
    sid = run.session_id
    slow = runner.execute(ExecuteRequest(commands=("export SLOW=1", "sleep 0.5"), session_id=sid))
    fast = runner.execute(ExecuteRequest(commands=("export FAST=1",), session_id=sid))
    fast.wait()
    slow.wait()
    env = runner.get_session(sid).env
    assert env["SLOW"] == "1"
    assert env["FAST"] == "1"


def test_deleting_a_session_kills_what_runs_in_it(runner: Runner, run):
    execution = runner.execute(ExecuteRequest(commands=("sleep 60",), session_id=run.session_id))
    runner.delete_session(run.session_id)
    assert execution.wait().exit_code == 137
    assert runner.list_sessions() == []


def test_cell_in_a_new_session_gets_the_projects_env_files(runner: Runner, tmp_path):
    from waypost.notebook import parse

    (tmp_path / ".env").write_text("FROM_DOTENV=yes\n")
    path = tmp_path / "book.md"
    path.write_text('```sh\necho "$FROM_DOTENV"\n```\n')
    execution = runner.run_cell(
        parse(path.read_bytes()), 0, document=path, project=tmp_path, interactive=False
    )
    assert execution.wait().last_output == b"yes\n"


def test_exiting_without_closing_the_runner_kills_its_cells(tmp_path):
    import subprocess
    import sys

    script = (
        "from waypost.runner import Runner, ExecuteRequest\n"
        "r = Runner()\n"
        "e = r.execute(ExecuteRequest(commands=('echo started', 'sleep 60')))\n"
        "print(e.pid, flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.strip().isdigit()  # the fixture checks that its `sleep 60` is gone
