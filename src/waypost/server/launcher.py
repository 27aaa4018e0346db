"""``waypost serve``: the gRPC server and the HTTP server in one process, started and stopped together."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waypost.config import Config, load_config
from waypost.log import configure as configure_logging
from waypost.server.auth import Guard, new_token
from waypost.server.grpc.server import GrpcService, RunningGrpc, start_grpc
from waypost.server.paths import Confinement
from waypost.server.state import ServerState
from waypost.server.tls import load_or_generate
from waypost.workspace import Workspace

__all__ = ["ServeOptions", "build_state", "serve"]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    project: Path
    host: str = "127.0.0.1"
    port: int = 8877
    grpc_port: int = 7863
    token: str = ""
    tls_dir: Path | None = None
    open_browser: bool = False
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    store: str = ""
    """``postgresql://...``: a team's database (overrides ``store.url``)."""


def build_state(options: ServeOptions, config: Config | None = None) -> ServerState:
    config = config or load_config(options.project, store_url=options.store or None)
    token = options.token or config.server.token or new_token()
    guard = Guard(token, tuple(options.cors_origins) or config.server.cors_origins)
    workspace = Workspace(options.project.resolve(), config, source="server")
    state = ServerState(workspace=workspace, guard=guard, confinement=Confinement(workspace.root))
    workspace.generator.observers.append(state.metrics.observe_generation)
    return state


def grpc_services(state: ServerState, *, ai: bool = True, runner: bool = True) -> list[GrpcService]:
    """Runme's services over ``state``; Foyle's ``AIService`` too with ``ai``, the runners with ``runner``."""
    from waypost._proto.foyle.v1alpha1 import agent_pb2_grpc
    from waypost._proto.runme.parser.v1 import parser_pb2_grpc
    from waypost._proto.runme.project.v1 import project_pb2_grpc
    from waypost._proto.runme.runner.v1 import runner_pb2_grpc as runner_v1_grpc
    from waypost._proto.runme.runner.v2 import runner_pb2_grpc as runner_v2_grpc
    from waypost.server.grpc.ai_service import AIService, RunmeGenerateService
    from waypost.server.grpc.parser_service import ParserService
    from waypost.server.grpc.project_service import ProjectService
    from waypost.server.grpc.runner_v1 import RunnerServiceV1
    from waypost.server.grpc.runner_v2 import RunnerServiceV2

    counted = state.metrics.executions.labels("grpc").inc
    services = [
        GrpcService(ParserService(state.cache), parser_pb2_grpc.add_ParserServiceServicer_to_server,
                    "runme.parser.v1.ParserService"),
        GrpcService(ProjectService(state.confinement),
                    project_pb2_grpc.add_ProjectServiceServicer_to_server, "runme.project.v1.ProjectService"),
    ]  # fmt: skip
    if ai:
        services += [
            GrpcService(AIService(state.generator, state.sink),
                        agent_pb2_grpc.add_AIServiceServicer_to_server, "AIService"),
            GrpcService(RunmeGenerateService(state.generator),
                        agent_pb2_grpc.add_RunmeGenerateServiceServicer_to_server, "RunmeGenerateService"),
        ]  # fmt: skip
    if runner:
        services += [
            GrpcService(RunnerServiceV1(state.runner, state.confinement, on_execute=counted),
                        runner_v1_grpc.add_RunnerServiceServicer_to_server, "runme.runner.v1.RunnerService"),
            GrpcService(RunnerServiceV2(state.runner, state.confinement, on_execute=counted),
                        runner_v2_grpc.add_RunnerServiceServicer_to_server, "runme.runner.v2.RunnerService"),
        ]  # fmt: skip
    return services


def _reachable(host: str) -> str:
    """A host peers can dial: the bind address, or this machine's name for a wildcard bind."""
    return socket.gethostname() if host in ("0.0.0.0", "::", "") else host


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _banner(options: ServeOptions, state: ServerState, http_port: int, grpc: RunningGrpc) -> None:
    host = options.host if options.host not in ("0.0.0.0", "::") else "127.0.0.1"
    base = f"http://{host}:{http_port}"
    token = state.guard.token
    lines = [
        f"Waypost is serving {state.confinement.root}",
        f"  browser:  {base}/?token={token}",
        f"  API:      {base}/api  (header Authorization: Bearer {token})",
        f"  AI base URL for Runme's extension (runme.aiBaseURL): {base}/t/{token}/api",
        f"  gRPC:     {host}:{grpc.port}"
        + (" (mutual TLS)" if options.tls_dir else " (token in metadata)"),
    ]
    if options.host not in ("127.0.0.1", "localhost", "::1"):
        lines.append(f"  warning: listening on {options.host}, reachable beyond this machine")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    record = {"msg": "started listening", "http": http_port, "grpc": grpc.port,
              "addr": f"{host}:{grpc.port}"}  # fmt: skip
    sys.stderr.write(json.dumps(record) + "\n")
    sys.stderr.flush()


def _quiet_cancellations(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Connections still open at shutdown are cancelled; that is the plan, not an error."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


def _warm_up(state: ServerState) -> None:
    try:
        state.workspace.assistant.warm()
    except Exception:  # the server stopped first; the next request fits it anyway
        return


def serve(options: ServeOptions, *, on_stop: Callable[[], None] | None = None) -> None:
    """Run until SIGINT or SIGTERM; then stop both servers and every process they started."""
    from hypercorn.asyncio import serve as serve_http
    from hypercorn.config import Config as HttpConfig

    from waypost.server.http.app import build_app

    configure_logging(json=True)
    http_socket = _listen(options.host, options.port)
    http_port = http_socket.getsockname()[1]
    state = build_state(options)
    if state.workspace.team:  # one replica of a team: say where peers reach this one
        advertised = (
            state.config.server.advertise_url or f"http://{_reachable(options.host)}:{http_port}"
        )
        state.workspace.register_replica(advertised)
    tls = load_or_generate(options.tls_dir) if options.tls_dir else None
    grpc = start_grpc(
        grpc_services(state), f"{options.host}:{options.grpc_port}", guard=state.guard, tls=tls
    )
    http_config = HttpConfig()
    http_config.bind = [f"fd://{http_socket.detach()}"]  # hypercorn owns (and closes) it now
    http_config.accesslog = None
    http_config.errorlog = None
    http_config.graceful_timeout = 3.0
    # Runme's extension keeps one HTTP/2 connection for all its AI calls; closing it after 5 s of
    # quiet (the default) makes the next call race the close
    http_config.keep_alive_timeout = 120
    app = build_app(state)
    _banner(options, state, http_port, grpc)
    if options.open_browser:
        webbrowser.open(f"http://127.0.0.1:{http_port}/?token={state.guard.token}")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_quiet_cancellations)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve_http(app, http_config, shutdown_trigger=stop.wait)

    state.workspace.start_learning()
    # fit the offline assistant on what was learned before, so the first suggestion (a ghost
    # cell in the editor, say) does not wait for it
    threading.Thread(target=_warm_up, args=(state,), name="warm-up", daemon=True).start()
    try:
        asyncio.run(main())
    finally:
        grpc.stop()
        state.workspace.close()  # ends every process the server started
        if on_stop is not None:
            on_stop()
