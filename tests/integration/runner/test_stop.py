"""Stopping: interrupt gives 130, kill gives 137, and nothing an execution started survives it."""

from __future__ import annotations

import sys
import time

import pytest

from waypost.runner import ExecuteRequest, Output, Runner, StopKind
from waypost.runner.process import list_processes


def _started(execution, text: bytes = b"ready") -> None:
    seen = b""
    for event in execution.events():
        if isinstance(event, Output):
            seen += event.data
            if text in seen:
                return
    raise AssertionError(f"{text!r} never appeared")


def _sleeping(execution) -> None:
    """Wait until the cell's ``sleep`` runs: an interrupt landing while bash forks it is bash's
    own race (a terminal's Ctrl-C has it too); the runner covers it, the test need not rely on
    that."""
    while not any(p.pgid == execution.pid and p.pid != execution.pid for p in list_processes()):
        time.sleep(0.01)


@pytest.mark.parametrize("interactive", [False, True], ids=["pipes", "pty"])
def test_interrupt_ends_a_cell_with_130(runner: Runner, run, interactive):
    execution = runner.execute(
        ExecuteRequest(
            commands=("echo ready", "sleep 60", "echo never"),
            session_id=run.session_id,
            interactive=interactive,
        )
    )
    _started(execution)
    _sleeping(execution)
    execution.stop(StopKind.INTERRUPT)
    result = execution.wait()
    assert result.exit_code == 130
    assert result.stopped is StopKind.INTERRUPT
    assert b"never" not in result.last_output


@pytest.mark.parametrize("interactive", [False, True], ids=["pipes", "pty"])
def test_kill_ends_a_program_that_ignores_interrupts_with_137(
    runner: Runner, run, programs, interactive
):
    execution = runner.execute(
        ExecuteRequest(
            commands=(f"{sys.executable} {programs / 'ignore_signals.py'}",),
            session_id=run.session_id,
            interactive=interactive,
        )
    )
    _started(execution)
    execution.stop(StopKind.INTERRUPT)
    assert execution.wait(timeout=0.5) is None  # still running: it ignores SIGINT
    execution.stop(StopKind.KILL)
    assert execution.wait().exit_code == 137


def test_background_cell_is_listed_and_can_be_stopped_from_elsewhere(runner: Runner, run):
    execution = runner.execute(
        ExecuteRequest(
            commands=("echo serving", "sleep 60"), session_id=run.session_id, background=True
        )
    )
    execution.detach()  # the request that started it is gone
    running = runner.executions(run.session_id, running=True)
    assert [e.id for e in running] == [execution.id]
    runner.stop(execution.id, StopKind.INTERRUPT)
    assert runner.get_execution(execution.id).wait().exit_code == 130
    assert runner.executions(run.session_id, running=True) == []


def test_processes_left_running_by_a_cell_end_with_it(run):
    ran = run("sleep 60 &", "echo done")
    assert ran.text == "done\n"


def test_process_that_left_the_group_still_ends_with_its_cell(run, programs):
    ran = run(f"{sys.executable} {programs / 'escape.py'}")
    assert ran.text.startswith("escaped")


def test_closing_the_runner_kills_running_cells(run):
    runner = Runner()
    execution = runner.execute(ExecuteRequest(commands=("sleep 60",)))
    runner.close()
    assert execution.wait().exit_code == 137


def test_program_waiting_on_stdin_gets_end_of_input_on_pipes(run, programs):
    ran = run(f"{sys.executable} {programs / 'wait_stdin.py'}")
    assert ran.text == "waiting\ngot EOF\n"


def test_input_on_pipes_is_given_then_ended(run):
    ran = run("read name", 'echo "Hi, $name!"', "cat", input=b"Bob\nrest\n")
    assert ran.text == "Hi, Bob!\nrest\n"
