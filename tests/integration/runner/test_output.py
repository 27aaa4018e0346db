"""Output streams as it is produced, complete and in order, to readers, files and async code."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import sys

from waypost.notebook import parse
from waypost.runner import ExecuteRequest, Exited, Output, Runner, Started, Stream
from waypost.runner.execution import KEPT_OUTPUT

from ..conftest import PROGRAMS
from .conftest import collect


def _load_flood():
    spec = importlib.util.spec_from_file_location("flood", PROGRAMS / "flood.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


content = _load_flood().content  # the generator the program writes with


def _expected_digest(size: int, newline: bytes = b"\n") -> str:
    digest = hashlib.sha256()
    for chunk in content(size):
        digest.update(chunk.replace(b"\n", newline))
    return digest.hexdigest()


def _stream_digest(execution) -> tuple[str, int, list[type]]:
    digest = hashlib.sha256()
    size = 0
    kinds: list[type] = []
    for event in execution.events():
        if not kinds or kinds[-1] is not type(event):
            kinds.append(type(event))
        if isinstance(event, Output) and event.stream is Stream.STDOUT:
            digest.update(event.data)
            size += len(event.data)
    return digest.hexdigest(), size, kinds


def test_a_hundred_megabytes_arrive_complete_and_in_order(runner: Runner, run):
    size = 100 * 1024 * 1024
    execution = runner.execute(
        ExecuteRequest(
            commands=(f"{sys.executable} {PROGRAMS / 'flood.py'} {size}",),
            session_id=run.session_id,
        )
    )
    digest, received, kinds = _stream_digest(execution)
    assert received == size
    assert digest == _expected_digest(size)
    assert kinds == [Started, Output, Exited]  # pid first, exit code last
    result = execution.result
    assert result.output_truncated
    assert len(result.last_output) == KEPT_OUTPUT


def test_terminal_output_arrives_complete_and_in_order(runner: Runner, run):
    size = 10 * 1024 * 1024
    execution = runner.execute(
        ExecuteRequest(
            commands=(f"{sys.executable} {PROGRAMS / 'flood.py'} {size}",),
            session_id=run.session_id,
            interactive=True,
        )
    )
    digest, received, _ = _stream_digest(execution)
    assert received == size + size // 10  # the terminal turns each \n into \r\n
    assert digest == _expected_digest(size, b"\r\n")


def test_output_arrives_before_the_program_ends(runner: Runner, run):
    execution = runner.execute(
        ExecuteRequest(
            commands=("echo first", "read wait_for_me", "echo second"),
            session_id=run.session_id,
            interactive=True,
        )
    )
    events = execution.events()
    seen = b""
    for event in events:
        if isinstance(event, Output):
            seen += event.data
            if b"first" in seen:
                break
    assert execution.running  # first line is here while the program still waits
    execution.write(b"\r")
    assert collect_rest(events).endswith(b"second\r\n")


def collect_rest(events) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, Output))


def test_stdout_and_stderr_are_separate_on_pipes(run):
    ran = run("echo to-out", "echo to-err >&2")
    assert ran.stdout == b"to-out\n"
    assert ran.stderr == b"to-err\n"


def test_output_files_are_written_per_request(run, tmp_path):
    ran = run(
        "echo to-out",
        "echo to-err >&2",
        directory=str(tmp_path),
        stdout_path="logs/out.log",
        stderr_path="logs/err.log",
    )
    assert ran.stdout == b"to-out\n"  # still streamed
    assert (tmp_path / "logs" / "out.log").read_bytes() == b"to-out\n"
    assert (tmp_path / "logs" / "err.log").read_bytes() == b"to-err\n"


def test_output_files_come_from_cell_attributes(runner: Runner, tmp_path):
    path = tmp_path / "book.md"
    path.write_text('```sh {"stdout":"out.log","stderr":"err.log"}\necho o; echo e >&2\n```\n')
    notebook = parse(path.read_bytes())
    runner.run_cell(notebook, 0, document=path, interactive=False).wait()
    assert (tmp_path / "out.log").read_text() == "o\n"
    assert (tmp_path / "err.log").read_text() == "e\n"


def test_mime_type_is_sniffed_from_the_first_chunk(run):
    assert run("echo '{\"a\": 1}'").mime_types == ["application/json"]
    assert run("printf '\\211PNG\\r\\n\\032\\n'").mime_types == ["image/png"]
    assert run("echo plain").mime_types == ["text/plain; charset=utf-8"]


def test_mime_type_attribute_wins_over_sniffing(runner: Runner, tmp_path):
    path = tmp_path / "book.md"
    path.write_text('```sh {"mimeType":"text/x-custom"}\necho \'{"a": 1}\'\n```\n')
    notebook = parse(path.read_bytes())
    ran = collect(runner.run_cell(notebook, 0, document=path, interactive=False).events())
    assert ran.mime_types == ["text/x-custom"]
    assert ran.result.mime_type == "text/x-custom"


def test_events_can_be_read_from_asyncio(runner: Runner, run):
    async def read() -> tuple[list[type], bytes, int | None]:
        execution = runner.execute(
            ExecuteRequest(
                commands=("echo one", "sleep 0.1", "echo two"), session_id=run.session_id
            )
        )
        kinds, data, code = [], b"", None
        async for event in execution.aevents():
            kinds.append(type(event))
            if isinstance(event, Output):
                data += event.data
            if isinstance(event, Exited):
                code = event.exit_code
        result = await execution.finished()
        assert result.exit_code == code
        return kinds, data, code

    kinds, data, code = asyncio.run(read())
    assert kinds[0] is Started and kinds[-1] is Exited
    assert data == b"one\ntwo\n"
    assert code == 0


def test_async_reader_can_stop_a_cell(runner: Runner, run):
    async def go() -> int | None:
        execution = runner.execute(
            ExecuteRequest(commands=("echo ready", "sleep 60"), session_id=run.session_id)
        )
        async for event in execution.aevents():
            if isinstance(event, Output):
                execution.stop()
            if isinstance(event, Exited):
                return event.exit_code
        return None

    assert asyncio.run(go()) == 130


def test_detached_background_cell_keeps_running_without_a_reader(runner: Runner, run, tmp_path):
    execution = runner.execute(
        ExecuteRequest(
            commands=(f"{sys.executable} {PROGRAMS / 'flood.py'} {40 * 1024 * 1024}",),
            session_id=run.session_id,
            background=True,
            directory=str(tmp_path),
            stdout_path="out.log",
        )
    )
    execution.detach()
    result = execution.wait()
    assert result.exit_code == 0
    assert (tmp_path / "out.log").stat().st_size == 40 * 1024 * 1024


def test_waiting_without_reading_events_never_stalls_a_big_output(runner: Runner, run):
    size = 40 * 1024 * 1024  # more than the channel holds
    execution = runner.execute(
        ExecuteRequest(
            commands=(f"{sys.executable} {PROGRAMS / 'flood.py'} {size}",),
            session_id=run.session_id,
        )
    )
    result = execution.wait()
    assert result.exit_code == 0
    assert result.stdout_bytes == size
