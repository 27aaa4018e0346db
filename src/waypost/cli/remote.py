"""``waypost run --server ADDR``: cells run by a server over Runme's runner API (gRPC, v1).

The server may be a ``waypost server`` kernel (mutual TLS with the certificate in ``--tls DIR``, or
``--insecure`` on loopback), a ``waypost serve`` process (its token, from ``server.token`` or
``WAYPOST_TOKEN``), or Runme's own. As Runme's CLI does: the server is health-checked first, and if
it does not answer and ``--insecure`` was not given explicitly, the cells run locally instead.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from waypost._proto.runme.runner.v1 import runner_pb2 as pb
from waypost._proto.runme.runner.v1 import runner_pb2_grpc
from waypost.errors import RunnerError
from waypost.project import Task
from waypost.runner import is_shell_language, request_for_cell

__all__ = ["HEALTH_TIMEOUT", "RemoteRunner", "RemoteRunnerError", "connect", "default_tls_dir"]

HEALTH_TIMEOUT = 2.0
"""Seconds the server has to answer its health check."""


class RemoteRunnerError(RunnerError):
    """The remote runner could not be set up (Runme's wording, which its tests match)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"could not execute command: failed to create remote runner: {reason}")


def default_tls_dir() -> Path:
    """Runme's default: ``<user config dir>/runme/tls``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "runme" / "tls"


def _target(address: str) -> str:
    return address.removeprefix("http://").removeprefix("https://")


def _credentials(tls_dir: Path) -> grpc.ChannelCredentials:
    """The client side of Runme's mutual TLS: the server's own certificate and key."""
    files = []
    for name in ("cert.pem", "key.pem"):
        path = tls_dir / name
        try:
            files.append(path.read_bytes())
        except OSError as exc:  # Go's wording: "open <path>: no such file or directory"
            reason = (exc.strerror or str(exc))[:1].lower() + (exc.strerror or str(exc))[1:]
            raise RemoteRunnerError(f"open {path}: {reason}") from None
    cert, key = files
    return grpc.ssl_channel_credentials(
        root_certificates=cert, private_key=key, certificate_chain=cert
    )


def connect(address: str, *, tls_dir: Path, insecure: bool) -> grpc.Channel:
    """A channel to ``address``: plain with ``insecure``, else mutual TLS from ``tls_dir``."""
    target = _target(address)
    if insecure:
        return grpc.insecure_channel(target)
    # the certificate names localhost; a Unix socket's path is no host name to check
    options = [("grpc.ssl_target_name_override", "localhost")] if target.startswith("unix:") else []
    return grpc.secure_channel(target, _credentials(tls_dir), options=options)


def healthy(address: str, *, tls_dir: Path, insecure: bool) -> bool:
    """Whether a server answers at ``address`` (unreadable TLS files count as no answer)."""
    try:
        channel = connect(address, tls_dir=tls_dir, insecure=insecure)
    except RemoteRunnerError:
        return False
    with channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=HEALTH_TIMEOUT
            )
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


@dataclass
class RemoteRunner:
    """One session on a server; ``run`` executes a task there and streams its output here."""

    channel: grpc.Channel
    token: str = ""
    session_id: str = ""

    def __post_init__(self) -> None:
        self.stub = runner_pb2_grpc.RunnerServiceStub(self.channel)
        self.metadata = (("authorization", f"Bearer {self.token}"),) if self.token else ()

    def start_session(self, project: Path | None, env_order: list[str]) -> None:
        """A session seeded as Runme's CLI seeds it: this process's environment, and the
        project's env files (read by the server, in ``env_order``)."""
        request = pb.CreateSessionRequest(envs=[f"{k}={v}" for k, v in os.environ.items()])
        if project is not None:
            request.project.root = str(project)
            request.project.env_load_order.extend(env_order)
        try:
            self.session_id = self.stub.CreateSession(request, metadata=self.metadata).session.id
        except grpc.RpcError as exc:
            raise RunnerError(f"no session on the server: {_detail(exc)}") from None

    def end_session(self) -> None:
        with contextlib.suppress(grpc.RpcError):
            self.stub.DeleteSession(
                pb.DeleteSessionRequest(id=self.session_id), metadata=self.metadata
            )
        self.channel.close()

    def run(self, task: Task, base: Path, stdout: BinaryIO, stderr: BinaryIO) -> int:
        """Run ``task`` (on pipes: the terminal is not forwarded); its exit code."""
        request = request_for_cell(task.notebook, task.index, document=task.path, base=base)
        shell = is_shell_language(request.language) and not request.program
        message = pb.ExecuteRequest(
            program_name=request.program,
            directory=request.directory,
            envs=[f"{k}={v}" for k, v in request.run_env.items()],
            commands=list(request.commands),
            script=request.script,
            language_id=request.language,
            command_mode=pb.COMMAND_MODE_INLINE_SHELL if shell else pb.COMMAND_MODE_TEMP_FILE,
            session_id=self.session_id,
            store_last_output=True,
            known_id=request.known_id,
            known_name=request.known_name,
        )
        code = 1
        done = threading.Event()
        stream = self.stub.Execute(_until(done, message), metadata=self.metadata)
        try:
            for response in stream:
                for data, target in (
                    (response.stdout_data, stdout),
                    (response.stderr_data, stderr),
                ):
                    if data:
                        target.write(data)
                        target.flush()
                if response.HasField("exit_code"):
                    code = response.exit_code.value
        except grpc.RpcError as exc:
            raise RunnerError(f"{task.relpath}: {task.name}: {_detail(exc)}") from None
        except KeyboardInterrupt:
            stream.cancel()
            return 130
        finally:
            done.set()
        return code


def _until(done: threading.Event, first: pb.ExecuteRequest) -> Iterator[pb.ExecuteRequest]:
    """The request stream: the first message, then open until ``done`` (closing it early means
    "stop" to a v2 server)."""
    yield first
    done.wait()


def _detail(exc: grpc.RpcError) -> str:
    code = exc.code() if hasattr(exc, "code") else None
    details = exc.details() if hasattr(exc, "details") else str(exc)
    return f"{details} ({code.name.lower() if code else 'error'})"
