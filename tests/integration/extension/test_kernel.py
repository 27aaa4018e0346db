"""``waypost server`` as Runme's VS Code extension launches and drives it (see ``extension.py``)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.integration.extension.extension import Cell, Editor, Kernel, launch
from tests.processes import alive
from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost._proto.runme.parser.v1 import parser_pb2_grpc

RUNBOOK = """\
# Deploy

Say hello, and remember who said it:

```sh
export GREETING=hello
echo "$GREETING from $RUNME_ID"
```

Who is running this?

```sh {"name":"WHOAMI"}
echo runbook-user
```

```sh {"interactive":"true"}
read -p "name? " name
echo "hi $name, $GREETING"
```

```sh
echo "user=$WHOAMI"
```

```sh {"background":"false"}
echo started
sleep 30
```
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / "README.md").write_text(RUNBOOK)
    return root


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("extension-storage") / "tls"


@pytest.fixture(scope="module")
def kernel(tls_dir: Path) -> Iterator[Kernel]:
    running = launch(tls_dir)
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def channel(kernel: Kernel) -> Iterator[grpc.Channel]:
    with kernel.channel() as ch:
        yield ch


@pytest.fixture(scope="module")
def cells(channel: grpc.Channel, workspace: Path) -> list[Cell]:
    """The runbook's code cells as the extension opens it: deserialized with cell identity."""
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    options = pb.DeserializeRequestOptions(identity=pb.RUNME_IDENTITY_CELL)
    source = (workspace / "README.md").read_bytes()
    notebook = stub.Deserialize(
        pb.DeserializeRequest(source=source, options=options), timeout=30
    ).notebook
    return [
        Cell(c.value, c.metadata["runme.dev/id"], c.metadata.get("name", ""),
             c.language_id, c.metadata.get("interactive") == "true")
        for c in notebook.cells if c.kind == pb.CELL_KIND_CODE
    ]  # fmt: skip


def test_kernel_logs_its_address_as_json_and_files_are_private(
    kernel: Kernel, tls_dir: Path
) -> None:
    records = kernel.records()
    assert all("not_json" not in r for r in records), records
    listening = next(r for r in records if r.get("msg") == "started listening")
    assert listening["addr"] == "127.0.0.1:" + kernel.address.rsplit(":", 1)[1]
    assert stat.S_IMODE(tls_dir.stat().st_mode) == 0o700
    for name in ("cert.pem", "key.pem"):
        assert stat.S_IMODE((tls_dir / name).stat().st_mode) == 0o600


def test_health_check_over_mutual_tls_says_serving(channel: grpc.Channel) -> None:
    reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_runmes_kernel_services(channel: grpc.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    (reply,) = list(stub.ServerReflectionInfo(iter([request]), timeout=10))
    names = {s.name for s in reply.list_services_response.service}
    assert {"runme.parser.v1.ParserService", "runme.project.v1.ProjectService",
            "runme.runner.v1.RunnerService", "runme.runner.v2.RunnerService",
            "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names  # fmt: skip
    assert "AIService" not in names  # the AI is waypost serve's, as Runme's kernel has none


def test_a_client_without_the_certificate_is_refused(kernel: Kernel, tls_dir: Path) -> None:
    cert = (tls_dir / "cert.pem").read_bytes()
    no_client_cert = grpc.ssl_channel_credentials(root_certificates=cert)
    with (
        grpc.secure_channel(kernel.address, no_client_cert) as channel,
        pytest.raises(grpc.RpcError) as caught,
    ):
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    with grpc.insecure_channel(kernel.address) as channel, pytest.raises(grpc.RpcError):
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)


def test_runbook_with_cell_identity_round_trips_with_ids_in_fences(
    channel: grpc.Channel, workspace: Path
) -> None:
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    options = pb.DeserializeRequestOptions(identity=pb.RUNME_IDENTITY_CELL)
    source = (workspace / "README.md").read_bytes()
    notebook = stub.Deserialize(
        pb.DeserializeRequest(source=source, options=options), timeout=30
    ).notebook
    code = [c for c in notebook.cells if c.kind == pb.CELL_KIND_CODE]
    ids = [c.metadata["runme.dev/id"] for c in code]
    assert len(set(ids)) == len(code) == 5
    saved = stub.Serialize(pb.SerializeRequest(notebook=notebook), timeout=30).result.decode()
    assert all(f'"id":"{ident}"}}' in saved for ident in ids)
    assert f'{{"name":"WHOAMI","id":"{ids[1]}"}}' in saved
    again = stub.Deserialize(
        pb.DeserializeRequest(source=saved.encode(), options=options), timeout=30
    )
    assert [
        c.metadata["runme.dev/id"] for c in again.notebook.cells if c.kind == pb.CELL_KIND_CODE
    ] == ids
    assert (
        stub.Serialize(pb.SerializeRequest(notebook=again.notebook), timeout=30).result.decode()
        == saved
    )


@pytest.mark.parametrize("version", [1, 2])
def test_cells_run_as_the_extension_runs_them(
    channel: grpc.Channel, workspace: Path, cells: list[Cell], version: int
) -> None:
    editor = Editor(channel, version=version, directory=workspace)
    editor.create_session(workspace)
    greet, whoami, ask, recall, slow = cells

    first = editor.run(greet)
    assert first.exit_code == 0
    assert first.output == f"hello from {greet.id}\n".encode()
    assert first.pid and first.mime_type.startswith("text/plain")

    second = editor.run(whoami)
    assert (second.output, second.exit_code) == (b"runbook-user\n", 0)

    third = editor.run(ask, answers={b"name? ": b"Ada\r"})
    assert third.exit_code == 0
    assert b"hi Ada, hello" in third.output

    fourth = editor.run(recall)
    assert fourth.output == b"user=runbook-user\n\n"  # a named cell's output, kept as printed

    env = editor.session_env()
    assert env["GREETING"] == "hello" and env["WHOAMI"] == "runbook-user\n"
    assert not {"GRPC_VERBOSITY", "GRPC_ENABLE_FORK_SUPPORT"} & set(
        env
    )  # the kernel's own settings

    stopped = editor.run(slow, stop_after=b"started")
    assert stopped.exit_code == 137  # closing a non-interactive cell's terminal kills it
    slow_tty = Cell(slow.value, slow.id, interactive=True)
    interrupted = editor.run(slow_tty, stop_after=b"started")
    assert interrupted.exit_code == 130


def test_export_already_in_the_session_is_resolved_for_the_script(
    channel: grpc.Channel, workspace: Path, cells: list[Cell]
) -> None:
    editor = Editor(channel, directory=workspace)
    editor.create_session(workspace)
    assert editor.run(cells[0]).exit_code == 0
    commands = editor.resolve(
        Cell("export GREETING=bye\necho $GREETING", "01J000000000000000000000AA")
    )
    assert commands[0] == 'export GREETING="hello"'
    assert "echo $GREETING" in commands


def test_sigterm_stops_the_kernel_and_every_process_it_started(tmp_path: Path) -> None:
    kernel = launch(tmp_path / "tls")
    pid = _start_background_sleep(kernel, tmp_path)
    assert kernel.stop("sigterm") == 0
    assert _gone(pid)


def test_closing_the_parent_pipe_stops_the_kernel(tmp_path: Path) -> None:
    kernel = launch(tmp_path / "tls")
    pid = _start_background_sleep(kernel, tmp_path)
    assert kernel.stop("stdin") == 0
    assert _gone(pid)
    assert any(r.get("msg") == "stdin closed by the parent" for r in kernel.records())


def test_unix_socket_address_replaces_a_stale_socket(tmp_path: Path) -> None:
    import socket as socketlib

    path = tmp_path / "runme-test.sock"
    stale = socketlib.socket(socketlib.AF_UNIX)
    stale.bind(str(path))
    stale.close()  # a socket file nobody listens on, as a crashed kernel leaves it
    kernel = launch(tmp_path / "tls", address=f"unix://{path}")
    try:
        assert kernel.addr == str(path)
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0  # only the user may connect
        with kernel.channel() as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=10
            )
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        assert kernel.stop() == 0
    assert not path.exists()


def test_insecure_kernel_serves_loopback_and_says_so(tmp_path: Path) -> None:
    kernel = launch(None)
    try:
        with kernel.channel() as channel:
            stub = parser_pb2_grpc.ParserServiceStub(channel)
            reply = stub.Deserialize(pb.DeserializeRequest(source=b"# hi\n"), timeout=10)
            assert reply.notebook.cells[0].value == "# hi"
    finally:
        assert kernel.stop() == 0
    records = kernel.records()
    warning = next(r for r in records if r.get("level") == "warning")
    assert "insecure" in warning["msg"] and "loopback" in warning["msg"]
    first_addr = next(r for r in records if "addr" in r)
    assert first_addr["msg"] == "started listening"


def test_insecure_kernel_refuses_a_non_loopback_address(tmp_path: Path) -> None:
    import subprocess

    from tests.integration.extension.extension import binary_path

    done = subprocess.run([str(binary_path()), "server", "--address", "0.0.0.0:0", "--insecure"],
                          capture_output=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 2
    assert b"loopback" in done.stderr and b'"level": "error"' in done.stderr


def _start_background_sleep(kernel: Kernel, directory: Path) -> int:
    """A background cell that would outlive its kernel if nobody stopped it."""
    from tests.streams import Requests
    from waypost._proto.runme.runner.v1 import runner_pb2 as v1
    from waypost._proto.runme.runner.v1 import runner_pb2_grpc as v1_grpc

    with kernel.channel() as channel:
        stub = v1_grpc.RunnerServiceStub(channel)
        first = v1.ExecuteRequest(program_name="bash", commands=["echo pid=$$", "sleep 300"],
                                  command_mode=v1.COMMAND_MODE_INLINE_SHELL, background=True,
                                  directory=str(directory))  # fmt: skip
        requests = Requests(first)
        output = b""
        responses = stub.Execute(iter(requests), timeout=60)
        for response in responses:
            output += response.stdout_data
            if b"pid=" in output and output.endswith(b"\n"):
                break
        requests.complete()
        responses.cancel()
    return int(output.split(b"pid=")[1].split()[0])


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not os.path.exists(f"/proc/{pid}")
