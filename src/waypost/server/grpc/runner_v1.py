"""``runme.runner.v1.RunnerService`` over Waypost's runner: what Runme's VS Code extension uses."""

from __future__ import annotations

from types import MappingProxyType

import grpc

from waypost._proto.runme.runner.v1 import runner_pb2 as pb
from waypost._proto.runme.runner.v1 import runner_pb2_grpc
from waypost.errors import WaypostError
from waypost.runner import (
    CommandMode,
    ExecuteRequest,
    SessionId,
    SessionStrategy,
    VarStatus,
    Winsize,
)
from waypost.server.grpc.execute_stream import abort_for, responder
from waypost.server.grpc.runner_rpcs import RunnerRpcs, env_map

__all__ = ["RunnerServiceV1"]

_MODES = {
    pb.COMMAND_MODE_UNSPECIFIED: CommandMode.PROGRAM,
    pb.COMMAND_MODE_INLINE_SHELL: CommandMode.INLINE,
    pb.COMMAND_MODE_DAGGER: CommandMode.INLINE,
    pb.COMMAND_MODE_TEMP_FILE: CommandMode.FILE,
    pb.COMMAND_MODE_TERMINAL: CommandMode.TERMINAL,
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


class RunnerServiceV1(RunnerRpcs, runner_pb2_grpc.RunnerServiceServicer):
    pb = pb
    ENV_FIELD = "envs"
    STATUSES = _STATUS
    RESPOND = staticmethod(_RESPOND)

    # -- sessions ----------------------------------------------------------------------------

    def CreateSession(
        self, request: pb.CreateSessionRequest, context: grpc.ServicerContext
    ) -> pb.CreateSessionResponse:
        try:
            root, order = self.project(request)
            envs = env_map(request.envs)
            session = self.runner.create_session(
                envs, dict(request.metadata), seed_system=not envs, project=root, **order
            )
        except WaypostError as exc:
            abort_for(context, exc)
        return pb.CreateSessionResponse(session=self.session_message(session))

    # -- executions --------------------------------------------------------------------------

    def _request(self, message: pb.ExecuteRequest) -> ExecuteRequest:
        envs = env_map(message.envs)
        session_id = SessionId(message.session_id) if message.session_id else None
        strategy = (
            SessionStrategy.MOST_RECENT
            if message.session_strategy == pb.SESSION_STRATEGY_MOST_RECENT
            else SessionStrategy.NEW
        )
        root, order = self.project(message)
        if session_id is None and strategy is SessionStrategy.NEW:
            # a new session for this execution: exactly the client's environment (Runme v1)
            session = self.runner.create_session(envs, seed_system=not envs, project=root, **order)
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
