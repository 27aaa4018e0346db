"""Runme's runner APIs (v1 and v2) over a real socket: sessions, streaming, input, stop."""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import pytest

from tests.integration.server.conftest import TOKEN, Server
from tests.processes import alive
from tests.streams import Requests
from waypost._proto.runme.runner.v1 import runner_pb2 as v1
from waypost._proto.runme.runner.v1 import runner_pb2_grpc as v1_grpc
from waypost._proto.runme.runner.v2 import config_pb2 as v2cfg
from waypost._proto.runme.runner.v2 import runner_pb2 as v2
from waypost._proto.runme.runner.v2 import runner_pb2_grpc as v2_grpc

AUTH = (("authorization", f"Bearer {TOKEN}"),)


@pytest.fixture(scope="module")
def channel(server: Server) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.target) as ch:
        yield ch


def collect(responses: Iterator[object]) -> tuple[bytes, bytes, int | None, list[object]]:
    out, err, code, all_ = b"", b"", None, []
    for r in responses:
        all_.append(r)
        out += r.stdout_data  # type: ignore[attr-defined]
        err += r.stderr_data  # type: ignore[attr-defined]
        if r.HasField("exit_code"):  # type: ignore[attr-defined]
            code = r.exit_code.value  # type: ignore[attr-defined]
    return out, err, code, all_


def test_v1_session_env_carries_across_executions(channel: grpc.Channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    session = stub.CreateSession(
        v1.CreateSessionRequest(envs=["PATH=/usr/bin:/bin", "GREETING=hi"]), metadata=AUTH
    ).session
    first = v1.ExecuteRequest(program_name="bash", commands=["export TOKEN=abc123", "echo $GREETING"],
                              session_id=session.id, command_mode=v1.COMMAND_MODE_INLINE_SHELL,
                              known_id="01HF7BT3HD84GWTQB8ZCWPH803", envs=["RUNME_ID=01HF7BT3HD84GWTQB8ZCWPH803"])  # fmt: skip
    requests = Requests(first)
    requests.complete()
    out, _, code, responses = collect(stub.Execute(iter(requests), metadata=AUTH))
    assert (out, code) == (b"hi\n", 0)
    assert responses[0].pid.pid > 0
    second = v1.ExecuteRequest(program_name="bash", commands=["echo token=$TOKEN"], session_id=session.id,
                               command_mode=v1.COMMAND_MODE_INLINE_SHELL, store_last_output=True)  # fmt: skip
    out, _, code, _ = collect(stub.Execute(iter([second]), metadata=AUTH))
    assert (out, code) == (b"token=abc123\n", 0)
    env = stub.GetSession(v1.GetSessionRequest(id=session.id), metadata=AUTH).session.envs
    assert "TOKEN=abc123" in env and "__=token=abc123\n" in env  # stdout as is, like Runme
    assert session.id in [
        s.id for s in stub.ListSessions(v1.ListSessionsRequest(), metadata=AUTH).sessions
    ]
    stub.DeleteSession(v1.DeleteSessionRequest(id=session.id), metadata=AUTH)
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetSession(v1.GetSessionRequest(id=session.id), metadata=AUTH)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_v1_interactive_input_reaches_a_read_cell(channel: grpc.Channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    first = v1.ExecuteRequest(program_name="bash", commands=['read -p "name? " name', 'echo "hello $name"'],
                              tty=True, command_mode=v1.COMMAND_MODE_INLINE_SHELL,
                              winsize=v1.Winsize(rows=24, cols=80))  # fmt: skip
    requests = Requests(first)
    output = b""
    code = None
    for response in stub.Execute(iter(requests), metadata=AUTH):
        output += response.stdout_data
        if b"name?" in output and b"hello" not in output:
            requests.send(v1.ExecuteRequest(input_data=b"Ada\r"))
        if response.HasField("exit_code"):
            code = response.exit_code.value
            break
    requests.complete()
    assert code == 0
    assert b"hello Ada" in output


def test_v1_stop_interrupts_with_130(channel: grpc.Channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    requests = Requests(v1.ExecuteRequest(program_name="bash", commands=["echo started", "sleep 30"],
                                          command_mode=v1.COMMAND_MODE_INLINE_SHELL))  # fmt: skip
    code = None
    for response in stub.Execute(iter(requests), metadata=AUTH):
        if b"started" in response.stdout_data:
            requests.send(v1.ExecuteRequest(stop=v1.EXECUTE_STOP_INTERRUPT))
        if response.HasField("exit_code"):
            code = response.exit_code.value
    requests.complete()
    assert code == 130


def test_v1_kill_gives_137(channel: grpc.Channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    requests = Requests(v1.ExecuteRequest(program_name="bash", commands=["trap '' INT", "echo up", "sleep 30"],
                                          command_mode=v1.COMMAND_MODE_INLINE_SHELL))  # fmt: skip
    code = None
    for response in stub.Execute(iter(requests), metadata=AUTH):
        if b"up" in response.stdout_data:
            requests.send(v1.ExecuteRequest(stop=v1.EXECUTE_STOP_KILL))
        if response.HasField("exit_code"):
            code = response.exit_code.value
    requests.complete()
    assert code == 137


def test_v1_pipes_keep_stderr_apart_and_sniff_json(channel: grpc.Channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    request = v1.ExecuteRequest(program_name="bash", commands=['echo \'{"a": 1}\'', "echo oops >&2"],
                                command_mode=v1.COMMAND_MODE_INLINE_SHELL)  # fmt: skip
    out, err, code, responses = collect(stub.Execute(iter([request]), metadata=AUTH))
    assert (out, err, code) == (b'{"a": 1}\n', b"oops\n", 0)
    assert "application/json" in next(r.mime_type for r in responses if r.mime_type)


def test_v1_resolve_program_reports_exports(channel: grpc.Channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    request = v1.ResolveProgramRequest(script='export NAME="placeholder"\nexport KNOWN=x\necho $NAME',
                                       env=["KNOWN=from-env"], language_id="sh")  # fmt: skip
    reply = stub.ResolveProgram(request, metadata=AUTH)
    by_name = {v.name: v for v in reply.vars}
    assert by_name["KNOWN"].status == v1.ResolveProgramResponse.STATUS_RESOLVED
    assert by_name["NAME"].status == v1.ResolveProgramResponse.STATUS_UNRESOLVED_WITH_PLACEHOLDER
    assert "echo $NAME" in reply.script


def test_v1_missing_interpreter_exits_127(channel: grpc.Channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    request = v1.ExecuteRequest(program_name="no-such-interpreter-xyz", script="puts 1",
                                language_id="ruby", command_mode=v1.COMMAND_MODE_TEMP_FILE)  # fmt: skip
    _, err, code, _ = collect(stub.Execute(iter([request]), metadata=AUTH))
    assert code == 127
    assert b"no-such-interpreter-xyz" in err


def test_v2_execute_with_config_and_session_update(channel: grpc.Channel) -> None:
    stub = v2_grpc.RunnerServiceStub(channel)
    session = stub.CreateSession(v2.CreateSessionRequest(env=["A=1"]), metadata=AUTH).session
    stub.UpdateSession(v2.UpdateSessionRequest(id=session.id, env=["B=2"]), metadata=AUTH)
    config = v2cfg.ProgramConfig(program_name="bash", commands=v2cfg.ProgramConfig.CommandList(items=["echo $A$B"]),
                                 mode=v2cfg.COMMAND_MODE_INLINE, known_name="ab")  # fmt: skip
    requests = Requests(v2.ExecuteRequest(config=config, session_id=session.id))
    out, code = b"", None
    for response in stub.Execute(iter(requests), metadata=AUTH):
        out += response.stdout_data
        if response.HasField("pid"):
            assert response.pid.value > 0
        if response.HasField("exit_code"):
            code = response.exit_code.value
            break
    requests.complete()
    assert (out, code) == (b"12\n", 0)


def test_v2_python_cell_runs_from_a_temp_file(channel: grpc.Channel) -> None:
    stub = v2_grpc.RunnerServiceStub(channel)
    config = v2cfg.ProgramConfig(language_id="python", script="import sys\nprint(sys.version_info[0])",
                                 mode=v2cfg.COMMAND_MODE_FILE)  # fmt: skip
    requests = Requests(v2.ExecuteRequest(config=config))
    out, code = b"", None
    for response in stub.Execute(iter(requests), metadata=AUTH):
        out += response.stdout_data
        if response.HasField("exit_code"):
            code = response.exit_code.value
            break
    requests.complete()
    assert (out, code) == (b"3\n", 0)


def test_v2_half_close_interrupts_the_program(channel: grpc.Channel) -> None:
    stub = v2_grpc.RunnerServiceStub(channel)
    config = v2cfg.ProgramConfig(program_name="bash", commands=v2cfg.ProgramConfig.CommandList(items=["sleep 30"]),
                                 mode=v2cfg.COMMAND_MODE_INLINE)  # fmt: skip
    started = time.monotonic()
    _, _, code, _ = collect(stub.Execute(iter([v2.ExecuteRequest(config=config)]), metadata=AUTH))
    assert code == 130 and time.monotonic() - started < 20


def test_cancelling_the_stream_kills_the_program(channel: grpc.Channel, server: Server) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    requests = Requests(v1.ExecuteRequest(program_name="bash", commands=["echo pid=$$", "sleep 60"],
                                          command_mode=v1.COMMAND_MODE_INLINE_SHELL))  # fmt: skip
    call = stub.Execute(iter(requests), metadata=AUTH)
    pid = None
    for response in call:
        if b"pid=" in response.stdout_data:
            pid = int(response.stdout_data.split(b"=")[1])
            call.cancel()
            break
    requests.complete()
    assert pid is not None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.05)
    assert not alive(pid)


def test_execute_without_token_is_unauthenticated(channel: grpc.Channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    with pytest.raises(grpc.RpcError) as caught:
        list(stub.Execute(iter([v1.ExecuteRequest(program_name="bash", commands=["echo no"])])))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize("api", [(v1, v1_grpc, "envs"), (v2, v2_grpc, "env")], ids=["v1", "v2"])
def test_env_panel_shows_the_sessions_own_variables_and_each_change(channel, api) -> None:
    pb, grpc_module, env_field = api
    stub = grpc_module.RunnerServiceStub(channel)
    created = stub.CreateSession(
        pb.CreateSessionRequest(**{env_field: ["REGION=eu-west-1"]}), metadata=AUTH
    ).session
    monitor = stub.MonitorEnvStore(
        pb.MonitorEnvStoreRequest(session=pb.Session(id=created.id)), metadata=AUTH, timeout=60
    )
    try:
        first = next(monitor)
        assert first.type == pb.MONITOR_ENV_STORE_TYPE_SNAPSHOT
        shown = {e.name: e for e in first.snapshot.envs}
        assert shown["REGION"].resolved_value == "eu-west-1"
        assert "PATH" not in shown  # inherited from the server unchanged: not the session's own
        commands = ["export STAGE=prod", "export API_TOKEN=s3cret"]
        if pb is v1:
            run = v1.ExecuteRequest(program_name="bash", commands=commands, session_id=created.id,
                                    command_mode=v1.COMMAND_MODE_INLINE_SHELL)  # fmt: skip
        else:
            config = v2cfg.ProgramConfig(program_name="bash", mode=v2cfg.COMMAND_MODE_INLINE,
                                         commands=v2cfg.ProgramConfig.CommandList(items=commands))  # fmt: skip
            run = v2.ExecuteRequest(config=config, session_id=created.id)
        requests = Requests(run)  # open until the end: v2 interrupts a cell on half-close
        collect(stub.Execute(iter(requests), metadata=AUTH))
        requests.complete()
        after: dict[str, object] = {}
        while "STAGE" not in after:  # a snapshot per change: the cell's exports come in one
            after = {e.name: e for e in next(monitor).snapshot.envs}
        status = pb.MonitorEnvStoreResponseSnapshot
        assert after["STAGE"].resolved_value == "prod"
        assert after["STAGE"].status == status.STATUS_LITERAL
        assert after["API_TOKEN"].status == status.STATUS_MASKED
        assert "s3cret" not in str(after["API_TOKEN"])
    finally:
        monitor.cancel()


def test_env_panel_of_an_unknown_session_is_not_found(channel) -> None:
    stub = v1_grpc.RunnerServiceStub(channel)
    monitor = stub.MonitorEnvStore(
        v1.MonitorEnvStoreRequest(session=v1.Session(id="01HNOSUCHSESSION0000000000")),
        metadata=AUTH,
    )
    with pytest.raises(grpc.RpcError) as caught:
        next(monitor)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_v2_terminal_mode_is_a_shell_whose_exports_reach_the_session(channel) -> None:
    stub = v2_grpc.RunnerServiceStub(channel)
    session = stub.CreateSession(v2.CreateSessionRequest(env=["PS1=$ "]), metadata=AUTH).session
    config = v2cfg.ProgramConfig(program_name="bash", mode=v2cfg.COMMAND_MODE_TERMINAL)
    requests = Requests(v2.ExecuteRequest(config=config, session_id=session.id))
    requests.send(v2.ExecuteRequest(input_data=b"export FROM_TERMINAL=yes\nsave\n"))
    code = None
    for response in stub.Execute(iter(requests), metadata=AUTH, timeout=60):
        if response.HasField("exit_code"):
            code = response.exit_code.value
            break
    requests.complete()
    assert code == 0
    env = stub.GetSession(v2.GetSessionRequest(id=session.id), metadata=AUTH).session.env
    assert "FROM_TERMINAL=yes" in env
