"""``runme.runner.v1.RunnerService`` over Waypost's runner: what Runme's VS Code extension uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import grpc

from waypost._proto.runme.runner.v1 import runner_pb2 as pb
from waypost._proto.runme.runner.v1 import runner_pb2_grpc
from waypost.errors import WaypostError
from waypost.masking import is_secret_name
from waypost.project import load_env_files
from waypost.runner import (
    CommandMode,
    ExecuteRequest,
    ResolveMode,
    Retention,
    Runner,
    Session,
    SessionId,
    SessionStrategy,
    VarStatus,
    Winsize,
    resolve_variables,
)
from waypost.server.grpc.execute_stream import abort_for, apply_control, responder, stream_execution
from waypost.server.paths import Confinement

__all__ = ["RunnerServiceV1", "env_list", "env_map"]

_MODES = {
    pb.COMMAND_MODE_UNSPECIFIED: CommandMode.PROGRAM,
    pb.COMMAND_MODE_INLINE_SHELL: CommandMode.INLINE,
    pb.COMMAND_MODE_DAGGER: CommandMode.INLINE,
    pb.COMMAND_MODE_TEMP_FILE: CommandMode.FILE,
}
_STATUS = {
    VarStatus.RESOLVED: pb.ResolveProgramResponse.STATUS_RESOLVED,
    VarStatus.UNRESOLVED_WITH_MESSAGE: pb.ResolveProgramResponse.STATUS_UNRESOLVED_WITH_MESSAGE,
    VarStatus.UNRESOLVED_WITH_PLACEHOLDER: pb.ResolveProgramResponse.STATUS_UNRESOLVED_WITH_PLACEHOLDER,
    VarStatus.UNRESOLVED_WITH_SECRET: pb.ResolveProgramResponse.STATUS_UNRESOLVED_WITH_SECRET,
    VarStatus.UNSPECIFIED: pb.ResolveProgramResponse.STATUS_UNSPECIFIED,
}
_RESPOND = responder(
    pb.ExecuteResponse, lambda message, pid: message.pid.CopyFrom(pb.ProcessPID(pid=pid))
)


def env_map(items: Any) -> dict[str, str]:
    """``["K=V", ...]`` → ``{"K": "V"}`` (entries without ``=`` are ignored, as by execve)."""
    result = {}
    for item in items:
        name, eq, value = item.partition("=")
        if eq and name:
            result[name] = value
    return result


def env_list(env: Any) -> list[str]:
    return [f"{k}={v}" for k, v in env.items()]


def _session(session: Session) -> pb.Session:
    return pb.Session(id=session.id, envs=env_list(session.env), metadata=dict(session.metadata))


class RunnerServiceV1(runner_pb2_grpc.RunnerServiceServicer):
    def __init__(self, runner: Runner, confinement: Confinement) -> None:
        self.runner = runner
        self.confinement = confinement

    def _project(self, request: Any) -> tuple[Path | None, tuple[str, ...]]:
        if not request.HasField("project") or not request.project.root:
            return None, ()
        root = self.confinement.resolve(request.project.root, must_exist=True)
        return root, tuple(request.project.env_load_order)

    # -- sessions ----------------------------------------------------------------------------

    def CreateSession(
        self, request: pb.CreateSessionRequest, context: grpc.ServicerContext
    ) -> pb.CreateSessionResponse:
        try:
            root, order = self._project(request)
            envs = env_map(request.envs)
            session = self.runner.create_session(
                envs, dict(request.metadata), seed_system=not envs, project=root,
                **({"env_order": order} if order else {}),
            )  # fmt: skip
        except WaypostError as exc:
            abort_for(context, exc)
        return pb.CreateSessionResponse(session=_session(session))

    def GetSession(
        self, request: pb.GetSessionRequest, context: grpc.ServicerContext
    ) -> pb.GetSessionResponse:
        try:
            return pb.GetSessionResponse(
                session=_session(self.runner.get_session(SessionId(request.id)))
            )
        except WaypostError as exc:
            abort_for(context, exc)
        raise AssertionError  # pragma: no cover

    def ListSessions(
        self, request: pb.ListSessionsRequest, context: grpc.ServicerContext
    ) -> pb.ListSessionsResponse:
        return pb.ListSessionsResponse(sessions=[_session(s) for s in self.runner.list_sessions()])

    def DeleteSession(
        self, request: pb.DeleteSessionRequest, context: grpc.ServicerContext
    ) -> pb.DeleteSessionResponse:
        try:
            self.runner.delete_session(SessionId(request.id))
        except WaypostError as exc:
            abort_for(context, exc)
        return pb.DeleteSessionResponse()

    def MonitorEnvStore(
        self, request: pb.MonitorEnvStoreRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.MonitorEnvStoreResponse]:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "not available for the runner's env store")
        yield pb.MonitorEnvStoreResponse()  # pragma: no cover

    # -- executions --------------------------------------------------------------------------

    def Execute(
        self, request_iterator: Iterator[pb.ExecuteRequest], context: grpc.ServicerContext
    ) -> Iterator[pb.ExecuteResponse]:
        first = next(request_iterator, None)
        if first is None:
            return
        if first.command_mode == pb.COMMAND_MODE_TERMINAL:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "terminal mode is not supported")
        try:
            request = self._request(first)
        except WaypostError as exc:
            abort_for(context, exc)
            return
        yield from stream_execution(
            self.runner, request, request_iterator, context, respond=_RESPOND, control=apply_control,
        )  # fmt: skip

    def _request(self, message: pb.ExecuteRequest) -> ExecuteRequest:
        envs = env_map(message.envs)
        session_id = SessionId(message.session_id) if message.session_id else None
        strategy = (
            SessionStrategy.MOST_RECENT
            if message.session_strategy == pb.SESSION_STRATEGY_MOST_RECENT
            else SessionStrategy.NEW
        )
        root, order = self._project(message)
        if session_id is None and strategy is SessionStrategy.NEW:
            # a new session for this execution: exactly the client's environment (Runme v1)
            session = self.runner.create_session(
                envs, seed_system=not envs, project=root, **({"env_order": order} if order else {})
            )
            session_id, envs = session.id, {}
        directory = str(self.confinement.resolve(message.directory)) if message.directory else ""
        winsize = None
        if message.HasField("winsize"):
            winsize = Winsize(message.winsize.rows or 24, message.winsize.cols or 80,
                              message.winsize.x, message.winsize.y)  # fmt: skip
        run_env = {k: v for k, v in envs.items() if k in ("RUNME_ID", "RUNME_RUNNER")}
        return ExecuteRequest(
            commands=tuple(message.commands),
            script=message.script,
            language=message.language_id,
            program=message.program_name,
            arguments=tuple(message.arguments),
            mode=_MODES.get(message.command_mode, CommandMode.AUTO),
            file_extension=message.file_extension,
            directory=directory,
            env=MappingProxyType({k: v for k, v in envs.items() if k not in run_env}),
            run_env=MappingProxyType(run_env),
            interactive=message.tty,
            winsize=winsize,
            input=message.input_data,
            background=message.background,
            session_id=session_id,
            session_strategy=strategy,
            store_last_output=message.store_last_output,
            known_id=message.known_id,
            known_name=message.known_name,
        )

    def ResolveProgram(
        self, request: pb.ResolveProgramRequest, context: grpc.ServicerContext
    ) -> pb.ResolveProgramResponse:
        return resolve_program(self.runner, self.confinement, request, pb, _STATUS, context)


def resolve_program(runner: Runner, confinement: Confinement, request: Any, pb_module: Any,
                    statuses: dict[VarStatus, int], context: grpc.ServicerContext) -> Any:  # fmt: skip
    """Runme's env prompts: which ``export``s of a shell cell the session or ``.env`` already set.

    Shared by both API versions (they differ only in the status numbers)."""
    if request.WhichOneof("source") == "commands":
        lines = list(request.commands.lines)
    else:
        lines = request.script.split("\n")
    session_env: dict[str, str] = {}
    try:
        if request.session_id:
            session_env = dict(runner.get_session(SessionId(request.session_id)).env)
        elif request.session_strategy == 1 and runner.list_sessions():
            session_env = dict(runner.list_sessions()[0].env)
        sources = [env_map(request.env)]
        if request.HasField("project") and request.project.root:
            root = confinement.resolve(request.project.root, must_exist=True)
            order = tuple(request.project.env_load_order) or (".env", ".env.local")
            sources.append(load_env_files(root, order))
    except WaypostError as exc:
        abort_for(context, exc)
    mode = {1: ResolveMode.PROMPT_ALL, 2: ResolveMode.SKIP_ALL}.get(request.mode, ResolveMode.AUTO)
    retention = Retention.LAST_RUN if request.retention == 2 else Retention.FIRST_RUN
    resolved = resolve_variables(
        lines, sources=sources, session=session_env, mode=mode, retention=retention
    )
    response = pb_module.ResolveProgramResponse(script=resolved.script)
    response.commands.lines.extend(resolved.script.split("\n"))
    for var in resolved.vars:
        response.vars.add(
            status=statuses[var.status],
            name=var.name,
            original_value=var.original_value,
            resolved_value="" if is_secret_name(var.name) else var.resolved_value,
        )
    return response
