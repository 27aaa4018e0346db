"""Interactive cells run on a real pseudo-terminal: typed input, window size, one stream."""

from __future__ import annotations

import sys

import pytest

from waypost.runner import CommandMode, ExecuteRequest, Output, Runner, Winsize


def _until(events, text: bytes) -> bytes:
    """Read output events until ``text`` has appeared (the prompt a program waits at)."""
    seen = b""
    for event in events:
        if isinstance(event, Output):
            seen += event.data
            if text in seen:
                return seen
    raise AssertionError(f"{text!r} never appeared in {seen!r}")


def test_cell_on_a_terminal_sees_a_tty(run):
    ran = run("test -t 0 && test -t 1 && echo tty", interactive=True)
    assert ran.text == "tty\r\n"


def test_terminal_merges_stderr_into_stdout(run):
    ran = run("echo out; echo err >&2", interactive=True)
    assert ran.text == "out\r\nerr\r\n"
    assert ran.stderr == b""


def test_typed_input_reaches_a_read_cell(runner: Runner, run):
    execution = runner.execute(
        ExecuteRequest(
            commands=('echo -n "Enter your name: "', "read name", 'echo "Hi, $name!"'),
            session_id=run.session_id,
            interactive=True,
        )
    )
    events = execution.events()
    _until(events, b"Enter your name: ")
    execution.write(b"Alice\r")
    rest = b"".join(e.data for e in events if isinstance(e, Output))
    assert b"Hi, Alice!" in rest
    assert execution.wait().exit_code == 0


def test_input_sent_with_the_request_reaches_the_program(run, programs):
    ran = run(f"{sys.executable} {programs / 'wait_stdin.py'}", interactive=True, input=b"hello\r")
    assert "got: hello" in ran.text


def test_window_size_is_set_at_start_and_follows_resizes(runner: Runner, run):
    execution = runner.execute(
        ExecuteRequest(
            commands=("stty size", "read go", "stty size"),
            session_id=run.session_id,
            interactive=True,
            winsize=Winsize(rows=30, cols=100),
        )
    )
    events = execution.events()
    _until(events, b"30 100")
    execution.resize(Winsize(rows=50, cols=132))
    execution.write(b"\r")
    rest = b"".join(e.data for e in events if isinstance(e, Output))
    assert b"50 132" in rest


def test_exports_from_a_terminal_cell_reach_the_next_cell(run):
    run("export FROM_TTY=yes", interactive=True)
    assert run('echo "$FROM_TTY"').text == "yes\n"


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_terminal_mode_hands_its_exports_back_to_the_session(runner: Runner, tmp_path, shell):
    # Runme's "Runme terminal": an interactive shell in the session; `save` leaves it
    session = runner.create_session({"HOME": str(tmp_path), "KEEP": "kept", "PS1": "$ "})
    execution = runner.execute(
        ExecuteRequest(session_id=session.id, program=shell, mode=CommandMode.TERMINAL)
    )
    events = execution.events()
    execution.write(b'echo "keep=$KEEP"\n')
    assert b"keep=kept" in _until(events, b"keep=kept")
    execution.write(b"export FROM_TERMINAL=typed; false\n")  # a failing command closes nothing
    execution.write(b"echo still-open\n")
    _until(events, b"still-open\r\n")
    execution.write(b"save\n")
    result = execution.wait(timeout=20)
    assert result is not None and result.exit_code is not None
    env = runner.get_session(session.id).env
    assert env["FROM_TERMINAL"] == "typed"
    assert env["KEEP"] == "kept"
