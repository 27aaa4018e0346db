"""What Runme's runner APIs v1 and v2 share: session lookups, env prompts, project roots.

The two versions differ in message shapes (``envs`` vs ``env``, status numbers), which each
subclass names through ``pb``, ``ENV_FIELD`` and ``STATUSES``; everything else is here once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import grpc

from waypost.errors import WaypostError
from waypost.masking import is_secret_name, mask_value
from waypost.project import load_env_files
from waypost.runner import (
    ExecuteRequest,
    ResolveMode,
    Retention,
    Runner,
    Session,
    SessionId,
    StopKind,
    VarStatus,
    resolve_variables,
)
from waypost.runner.environment import LAST_OUTPUT
from waypost.server.grpc.execute_stream import abort_for, apply_control, stream_execution
from waypost.server.paths import Confinement

__all__ = ["MONITOR_INTERVAL", "RunnerRpcs", "env_list", "env_map"]

MONITOR_INTERVAL = 0.25
"""Seconds between looks at a watched session (a change shows up in the panel within this)."""


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


class RunnerRpcs:
    pb: ClassVar[Any]
    """The generated messages module of the version."""
    ENV_FIELD: ClassVar[str]
    """How that version names a session's variables."""
    STATUSES: ClassVar[dict[VarStatus, int]]
    """ResolveProgram statuses in that version's numbering."""
    RESPOND: ClassVar[Callable[[Any], Any]]
    """An execution event as that version's ``ExecuteResponse``."""
    INTERRUPT_ON_HALF_CLOSE: ClassVar[bool] = False
    """Runme v2 interrupts the program when the client stops sending; v1 ignores it."""

    def __init__(
        self,
        runner: Runner,
        confinement: Confinement,
        *,
        on_execute: Callable[[], None] | None = None,
    ) -> None:
        self.runner = runner
        self.confinement = confinement
        self.on_execute = on_execute or (lambda: None)
        """Called for every execution started (the server counts them)."""

    def session_message(self, session: Session) -> Any:
        return self.pb.Session(
            id=session.id,
            metadata=dict(session.metadata),
            **{self.ENV_FIELD: env_list(session.env)},
        )

    def project(self, request: Any) -> tuple[Path | None, dict[str, Any]]:
        """The request's project root (confined) and env file order, as ``create_session`` takes."""
        if not request.HasField("project") or not request.project.root:
            return None, {}
        root = self.confinement.resolve(request.project.root, must_exist=True)
        order = tuple(request.project.env_load_order)
        return root, ({"env_order": order} if order else {})

    def Execute(
        self, request_iterator: Iterator[Any], context: grpc.ServicerContext
    ) -> Iterator[Any]:
        first = next(request_iterator, None)
        if first is None:
            return
        try:
            request = self._request(first)
        except WaypostError as exc:
            abort_for(context, exc)
            return
        self.on_execute()
        half_close = (
            (lambda execution: execution.stop(StopKind.INTERRUPT))
            if self.INTERRUPT_ON_HALF_CLOSE
            else None
        )
        yield from stream_execution(
            self.runner, request, request_iterator, context, respond=self.RESPOND,
            control=apply_control, on_half_close=half_close,
        )  # fmt: skip

    def _request(self, message: Any) -> ExecuteRequest:
        """The runner's request for that version's first ``ExecuteRequest``."""
        raise NotImplementedError

    def GetSession(self, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            session = self.runner.get_session(SessionId(request.id))
        except WaypostError as exc:
            abort_for(context, exc)
        return self.pb.GetSessionResponse(session=self.session_message(session))

    def ListSessions(self, request: Any, context: grpc.ServicerContext) -> Any:
        sessions = [self.session_message(s) for s in self.runner.list_sessions()]
        return self.pb.ListSessionsResponse(sessions=sessions)

    def DeleteSession(self, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            self.runner.delete_session(SessionId(request.id))
        except WaypostError as exc:
            abort_for(context, exc)
        return self.pb.DeleteSessionResponse()

    def MonitorEnvStore(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        """The extension's environment panel: a snapshot of the session's own variables now,
        and a new one after every change, until the client goes away (Runme sends snapshots
        only with its Owl store; this works with every session store)."""
        session_id = SessionId(request.session.id)
        version = None
        while context.is_active():
            try:
                session = self.runner.get_session(session_id)
            except WaypostError as exc:
                if version is None:
                    abort_for(context, exc)
                return  # deleted while watched: the stream ends
            if session.version != version:
                version = session.version
                yield self.snapshot(session)
            time.sleep(MONITOR_INTERVAL)

    def snapshot(self, session: Session) -> Any:
        """The variables a session has of its own (set by env files, requests or cells, not
        inherited unchanged from the server), secrets masked, in name order."""
        msg = self.pb.MonitorEnvStoreResponseSnapshot
        inherited = os.environ
        envs = []
        for name, value in sorted(session.env.items()):
            if name == LAST_OUTPUT or inherited.get(name) == value:
                continue
            secret = is_secret_name(name)
            shown = mask_value(name, value)
            envs.append(
                msg.SnapshotEnv(
                    name=name,
                    status=msg.STATUS_MASKED if secret else msg.STATUS_LITERAL,
                    origin="session",
                    original_value=shown,
                    resolved_value=shown,
                )
            )
        return self.pb.MonitorEnvStoreResponse(
            type=self.pb.MONITOR_ENV_STORE_TYPE_SNAPSHOT, snapshot=msg(envs=envs)
        )

    def ResolveProgram(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Runme's env prompts: which ``export``s of a shell cell the session or ``.env`` set."""
        if request.WhichOneof("source") == "commands":
            lines = list(request.commands.lines)
        else:
            lines = request.script.split("\n")
        session_env: dict[str, str] = {}
        try:
            if request.session_id:
                session_env = dict(self.runner.get_session(SessionId(request.session_id)).env)
            elif request.session_strategy == 1 and self.runner.list_sessions():
                session_env = dict(self.runner.list_sessions()[0].env)
            sources = [env_map(request.env)]
            root, _ = self.project(request)
            if root is not None:
                order = tuple(request.project.env_load_order) or (".env", ".env.local")
                sources.append(load_env_files(root, order))
        except WaypostError as exc:
            abort_for(context, exc)
        mode = {1: ResolveMode.PROMPT_ALL, 2: ResolveMode.SKIP_ALL}.get(
            request.mode, ResolveMode.AUTO
        )
        retention = Retention.LAST_RUN if request.retention == 2 else Retention.FIRST_RUN
        resolved = resolve_variables(
            lines, sources=sources, session=session_env, mode=mode, retention=retention
        )
        response = self.pb.ResolveProgramResponse(script=resolved.script)
        response.commands.lines.extend(resolved.script.split("\n"))
        for var in resolved.vars:
            response.vars.add(
                status=self.STATUSES[var.status],
                name=var.name,
                original_value=var.original_value,
                resolved_value="" if is_secret_name(var.name) else var.resolved_value,
            )
        return response
