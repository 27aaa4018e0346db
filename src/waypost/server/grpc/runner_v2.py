"""``runme.runner.v2.RunnerService`` over Waypost's runner (Runme's newer API; same engine)."""

from __future__ import annotations

from types import MappingProxyType

import grpc

from waypost._proto.runme.runner.v2 import config_pb2 as cfg
from waypost._proto.runme.runner.v2 import runner_pb2 as pb
from waypost._proto.runme.runner.v2 import runner_pb2_grpc
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

__all__ = ["RunnerServiceV2"]

_MODES = {
    cfg.COMMAND_MODE_UNSPECIFIED: CommandMode.AUTO,
    cfg.COMMAND_MODE_INLINE: CommandMode.INLINE,
    cfg.COMMAND_MODE_CLI: CommandMode.INLINE,
    cfg.COMMAND_MODE_FILE: CommandMode.FILE,
    cfg.COMMAND_MODE_TERMINAL: CommandMode.TERMINAL,
}
_STATUS = {
    VarStatus.RESOLVED: pb.ResolveProgramResponse.STATUS_RESOLVED,
    VarStatus.UNRESOLVED_WITH_MESSAGE: pb.ResolveProgramResponse.STATUS_UNRESOLVED_WITH_MESSAGE,
    VarStatus.UNRESOLVED_WITH_PLACEHOLDER: pb.ResolveProgramResponse.STATUS_UNRESOLVED_WITH_PLACEHOLDER,
    VarStatus.UNRESOLVED_WITH_SECRET: pb.ResolveProgramResponse.STATUS_UNRESOLVED_WITH_SECRET,
    VarStatus.UNSPECIFIED: pb.ResolveProgramResponse.STATUS_UNSPECIFIED,
}
_RESPOND = responder(pb.ExecuteResponse, lambda message, pid: setattr(message.pid, "value", pid))
_SEED_SYSTEM = pb.CreateSessionRequest.Config.SESSION_ENV_STORE_SEEDING_SYSTEM


class RunnerServiceV2(RunnerRpcs, runner_pb2_grpc.RunnerServiceServicer):
    pb = pb
    ENV_FIELD = "env"
    STATUSES = _STATUS
    RESPOND = staticmethod(_RESPOND)
    INTERRUPT_ON_HALF_CLOSE = True

    def CreateSession(
        self, request: pb.CreateSessionRequest, context: grpc.ServicerContext
    ) -> pb.CreateSessionResponse:
        # Runme v2: legacy clients (no config) get the server's environment; others only if asked
        seed = not request.HasField("config") or request.config.env_store_seeding == _SEED_SYSTEM
        try:
            root, order = self.project(request)
            session = self.runner.create_session(
                env_map(request.env),
                dict(request.metadata),
                seed_system=seed,
                project=root,
                **order,
            )
        except WaypostError as exc:
            abort_for(context, exc)
        return pb.CreateSessionResponse(session=self.session_message(session))

    def UpdateSession(
        self, request: pb.UpdateSessionRequest, context: grpc.ServicerContext
    ) -> pb.UpdateSessionResponse:
        try:
            session = self.runner.update_session(
                SessionId(request.id),
                env=env_map(request.env),
                metadata=dict(request.metadata) if request.metadata else None,
            )
        except WaypostError as exc:
            abort_for(context, exc)
        return pb.UpdateSessionResponse(session=self.session_message(session))

    def _request(self, message: pb.ExecuteRequest) -> ExecuteRequest:
        config = message.config
        env = env_map(config.env)
        run_env = {k: v for k, v in env.items() if k in ("RUNME_ID", "RUNME_RUNNER")}
        session_id = SessionId(message.session_id) if message.session_id else None
        strategy = (
            SessionStrategy.MOST_RECENT
            if message.session_strategy == pb.SESSION_STRATEGY_MOST_RECENT
            else SessionStrategy.NEW
        )
        if session_id is None and strategy is SessionStrategy.NEW:
            root, order = self.project(message)
            session = self.runner.create_session(project=root, **order)  # server env, as Runme v2
            session_id = session.id
        directory = str(self.confinement.resolve(config.directory)) if config.directory else ""
        winsize = None
        if message.HasField("winsize"):
            winsize = Winsize(message.winsize.rows or 24, message.winsize.cols or 80,
                              message.winsize.x, message.winsize.y)  # fmt: skip
        source = config.WhichOneof("source")
        return ExecuteRequest(
            commands=tuple(config.commands.items) if source == "commands" else (),
            script=config.script if source == "script" else "",
            language=config.language_id,
            program=config.program_name,
            arguments=tuple(config.arguments),
            mode=_MODES.get(config.mode, CommandMode.AUTO),
            file_extension=config.file_extension,
            directory=directory,
            env=MappingProxyType({k: v for k, v in env.items() if k not in run_env}),
            run_env=MappingProxyType(run_env),
            interactive=config.interactive,
            winsize=winsize,
            input=message.input_data,
            background=config.background,
            session_id=session_id,
            session_strategy=strategy,
            store_last_output=message.store_stdout_in_env,
            known_id=config.known_id,
            known_name=config.known_name,
        )
