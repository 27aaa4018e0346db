"""A stand-in for Runme's VS Code extension: it launches and drives a kernel the way the extension does.

Launch (``kernelServer.ts``): ``<binaryPath> server --address localhost:PORT --runner --tls DIR``
with the extension host's environment plus ``DO_NOT_TRACK``, the port searched upwards from
7863, then a JSON line with ``addr`` on stderr within ten seconds, then a health check over mutual
TLS with the generated ``cert.pem``/``key.pem``.

Running a shell cell (``executors/runner``): ``ResolveProgram`` with the cell's lines, ``RUNME_ID``
and ``RUNME_RUNNER`` (skip-all prompts unless the notebook says otherwise); the resolved variables
become ``export NAME="value"`` lines in front of the returned script; then one ``Execute`` stream
with ``COMMAND_MODE_INLINE_SHELL``, ``tty`` for interactive cells, ``store_last_output``,
``known_id``/``known_name``, ``RUNME_ID`` and ``TERM`` in ``envs``; typed input goes as
``input_data`` (Enter is ``\\r``); closing the terminal sends ``stop`` (interrupt with a TTY, kill
without); the request side is closed once the exit code arrived.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from tests.streams import Requests
from waypost._proto.runme.runner.v1 import runner_pb2 as v1
from waypost._proto.runme.runner.v1 import runner_pb2_grpc as v1_grpc
from waypost._proto.runme.runner.v2 import config_pb2 as v2cfg
from waypost._proto.runme.runner.v2 import runner_pb2 as v2
from waypost._proto.runme.runner.v2 import runner_pb2_grpc as v2_grpc

FIRST_PORT = 7863
READY_WITHIN = 10.0
"""Seconds the extension waits for the ``addr`` line."""


def binary_path() -> Path:
    """What a user puts in ``runme.server.binaryPath``: the installed ``waypost`` script."""
    found = Path(sys.executable).parent / "waypost"
    if found.is_file():
        return found
    which = shutil.which("waypost")
    assert which, "the waypost command is not installed"
    return Path(which)


def port_available(port: int) -> bool:
    """As the extension checks: can a server listen on the port (every interface)?"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


@dataclass
class Kernel:
    process: subprocess.Popen[bytes]
    address: str
    """As passed on the command line: ``localhost:PORT`` or ``unix:///path``."""
    addr: str
    """What the kernel logged."""
    tls_dir: Path | None
    stderr: list[str] = field(default_factory=list)

    def credentials(self) -> grpc.ChannelCredentials:
        """``ChannelCredentials.createSsl(cert, key, cert)``: the extension's own pair."""
        assert self.tls_dir is not None
        cert = (self.tls_dir / "cert.pem").read_bytes()
        key = (self.tls_dir / "key.pem").read_bytes()
        return grpc.ssl_channel_credentials(
            root_certificates=cert, private_key=key, certificate_chain=cert
        )

    def channel(self) -> grpc.Channel:
        if self.tls_dir is None:
            return grpc.insecure_channel(self.address)
        # grpc-js names a Unix socket's server "localhost"; grpcio would check the path instead
        options = (
            [("grpc.ssl_target_name_override", "localhost")]
            if self.address.startswith("unix:")
            else []
        )
        return grpc.secure_channel(self.address, self.credentials(), options=options)

    def records(self) -> list[dict[str, Any]]:
        found = []
        for line in list(self.stderr):
            try:
                found.append(json.loads(line))
            except ValueError:
                found.append({"not_json": line})
        return found

    def stop(self, how: str = "sigterm", timeout: float = 15) -> int:
        if self.process.poll() is None:
            if how == "sigterm":
                self.process.send_signal(signal.SIGTERM)
            elif how == "stdin":
                assert self.process.stdin is not None
                self.process.stdin.close()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            if self.process.stdin is not None and not self.process.stdin.closed:
                self.process.stdin.close()


def launch(
    tls_dir: Path | None, *, address: str | None = None, extra_env: dict[str, str] | None = None
) -> Kernel:
    """Start ``waypost server`` as ``kernelServer.ts`` does and wait for its ``addr`` line."""
    if address is None:
        port = FIRST_PORT
        while not port_available(port):
            port += 1
        address = f"localhost:{port}"
    args = [str(binary_path()), "server", "--address", address, "--runner"]
    args += ["--tls", str(tls_dir)] if tls_dir is not None else ["--insecure"]
    env = {**os.environ, "DO_NOT_TRACK": "true", **(extra_env or {})}
    process = subprocess.Popen(
        args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    lines: list[str] = []
    ready: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            lines.append(line)
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("addr"):
                ready.put(record["addr"])
        ready.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        addr = ready.get(timeout=READY_WITHIN)
    except queue.Empty:
        addr = None
    if addr is None:
        process.kill()
        process.wait()
        raise AssertionError(f"no addr line within {READY_WITHIN}s: " + "\n".join(lines))
    return Kernel(process, address, addr, tls_dir, lines)


@dataclass
class Cell:
    """A code cell as the notebook has it."""

    value: str
    id: str
    name: str = ""
    language: str = "sh"
    interactive: bool = False


@dataclass
class Run:
    output: bytes = b""
    stderr: bytes = b""
    exit_code: int | None = None
    pid: int | None = None
    mime_type: str = ""


def shell_commands(
    resolved_script: str, variables: list[tuple[int, str, str]], resolved_status: int
) -> list[str]:
    """``export NAME="value"`` for each resolved variable, then the script's lines."""
    commands = [f'export {name}="{value}"' for status, name, value in variables
                if status == resolved_status and value]  # fmt: skip
    commands += resolved_script.split("\n")
    return commands or [""]


class Editor:
    """Runs cells over runner v1 (``version=1``, the extension's default) or v2."""

    def __init__(self, channel: grpc.Channel, version: int = 1, directory: Path | None = None):
        self.version = version
        self.directory = directory
        self.v1 = v1_grpc.RunnerServiceStub(channel)
        self.v2 = v2_grpc.RunnerServiceStub(channel)
        self.session_id = ""

    def create_session(self, project: Path) -> str:
        """``createEnvironment``: the extension host's environment, the workspace as project."""
        envs = [f"{k}={v}" for k, v in os.environ.items()]
        if self.version == 1:
            reply = self.v1.CreateSession(v1.CreateSessionRequest(
                envs=envs, project=v1.Project(root=str(project), env_load_order=[".env.local", ".env"])), timeout=30)  # fmt: skip
        else:
            config = v2.CreateSessionRequest.Config(
                env_store_seeding=v2.CreateSessionRequest.Config.SESSION_ENV_STORE_SEEDING_SYSTEM
            )
            reply = self.v2.CreateSession(v2.CreateSessionRequest(
                env=envs, project=v2.Project(root=str(project), env_load_order=[".env.local", ".env"]),
                config=config), timeout=30)  # fmt: skip
        self.session_id = reply.session.id
        return self.session_id

    def session_env(self) -> dict[str, str]:
        if self.version == 1:
            items = self.v1.GetSession(
                v1.GetSessionRequest(id=self.session_id), timeout=30
            ).session.envs
        else:
            items = self.v2.GetSession(
                v2.GetSessionRequest(id=self.session_id), timeout=30
            ).session.env
        return dict(item.split("=", 1) for item in items if "=" in item)

    def resolve(self, cell: Cell) -> list[str]:
        lines = cell.value.split("\n")
        env = [f"RUNME_ID={cell.id}", f"RUNME_RUNNER=v{self.version}"]
        if self.version == 1:
            reply = self.v1.ResolveProgram(v1.ResolveProgramRequest(
                commands=v1.ResolveProgramCommandList(lines=lines), language_id=cell.language,
                session_id=self.session_id, env=env, mode=v1.ResolveProgramRequest.MODE_SKIP_ALL), timeout=30)  # fmt: skip
            resolved = v1.ResolveProgramResponse.STATUS_RESOLVED
        else:
            reply = self.v2.ResolveProgram(v2.ResolveProgramRequest(
                commands=v2.ResolveProgramCommandList(lines=lines), language_id=cell.language,
                session_id=self.session_id, env=env, mode=v2.ResolveProgramRequest.MODE_SKIP_ALL), timeout=30)  # fmt: skip
            resolved = v2.ResolveProgramResponse.STATUS_RESOLVED
        variables = [(v.status, v.name, v.resolved_value) for v in reply.vars]
        return shell_commands(reply.script or cell.value, variables, resolved)

    def first_request(self, cell: Cell, commands: list[str]) -> object:
        envs = [f"RUNME_ID={cell.id}", "TERM=xterm-256color" if cell.interactive else "TERM="]
        directory = str(self.directory) if self.directory else ""
        winsize = {"winsize": v1.Winsize(rows=24, cols=80)} if cell.interactive else {}
        if self.version == 1:
            return v1.ExecuteRequest(
                program_name="bash", directory=directory, envs=envs, commands=commands,
                tty=cell.interactive, session_id=self.session_id, store_last_output=True,
                command_mode=v1.COMMAND_MODE_INLINE_SHELL, language_id=cell.language,
                known_id=cell.id, known_name=cell.name, **winsize,
            )  # fmt: skip
        config = v2cfg.ProgramConfig(
            program_name="bash", directory=directory, env=envs, interactive=cell.interactive,
            commands=v2cfg.ProgramConfig.CommandList(items=commands), language_id=cell.language,
            mode=v2cfg.COMMAND_MODE_INLINE, known_id=cell.id, known_name=cell.name,
        )  # fmt: skip
        v2winsize = {"winsize": v2.Winsize(rows=24, cols=80)} if cell.interactive else {}
        return v2.ExecuteRequest(config=config, session_id=self.session_id,
                                 store_stdout_in_env=True, **v2winsize)  # fmt: skip

    def input(self, data: bytes) -> object:
        return (v1 if self.version == 1 else v2).ExecuteRequest(input_data=data)

    def stop(self, interactive: bool) -> object:
        module = v1 if self.version == 1 else v2
        kind = module.EXECUTE_STOP_INTERRUPT if interactive else module.EXECUTE_STOP_KILL
        return module.ExecuteRequest(stop=kind)

    def run(
        self,
        cell: Cell,
        *,
        answers: dict[bytes, bytes] | None = None,
        stop_after: bytes | None = None,
    ) -> Run:
        """Resolve then execute ``cell``; type ``answers[prompt]`` when a prompt shows; close the
        terminal once ``stop_after`` was printed."""
        commands = self.resolve(cell)
        requests = Requests(self.first_request(cell, commands))
        stub = self.v1 if self.version == 1 else self.v2
        result = Run()
        pending = dict(answers or {})
        stopped = False
        try:
            for response in stub.Execute(iter(requests), timeout=60):
                result.output += response.stdout_data
                result.stderr += response.stderr_data
                if response.mime_type and not result.mime_type:
                    result.mime_type = response.mime_type
                if response.HasField("pid"):
                    result.pid = int(
                        getattr(response.pid, "pid", 0) or getattr(response.pid, "value", 0)
                    )
                for prompt in [p for p in pending if p in result.output]:
                    requests.send(self.input(pending.pop(prompt)))
                if stop_after is not None and not stopped and stop_after in result.output:
                    requests.send(self.stop(cell.interactive))
                    stopped = True
                if response.HasField("exit_code"):
                    result.exit_code = response.exit_code.value
                    break
        finally:
            requests.complete()
        return result
