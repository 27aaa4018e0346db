"""The runner: sessions and the executions running in them, behind one object adapters share.

The CLI, the gRPC server and the WebSocket all hold one ``Runner``. It creates and finds
sessions, starts executions (``execute`` for a request, ``run_cell`` for a notebook cell), finds
them again by id (to stop a background cell from another request), and ends every process it
started when closed.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from waypost.errors import (
    EnvironmentLimitError,
    ExecutionNotFoundError,
    InterpreterNotFoundError,
    SessionNotFoundError,
    SpawnError,
)
from waypost.learn.events import EventSink, execute
from waypost.notebook import Notebook, new_ulid
from waypost.project import DEFAULT_ENV_ORDER, load_env_files
from waypost.runner.capture import Dialect, dump_failed, read_dump, terminal_rc, wrap
from waypost.runner.environment import (
    LAST_OUTPUT,
    MAX_VALUE_BYTES,
    EnvChanges,
    apply_changes,
    diff_env,
    fit_environ,
    is_output_name,
    output_value,
)
from waypost.runner.execution import Execution, ExecutionId
from waypost.runner.output import OutputFiles, Stream
from waypost.runner.pipes import PipeProcess
from waypost.runner.process import Process
from waypost.runner.program import CommandMode, Program, is_shell
from waypost.runner.request import ExecuteRequest, StopKind, request_for_cell
from waypost.runner.session import Session, SessionId, SessionStrategy, new_session
from waypost.runner.store import MemorySessionStore, SessionStore, update_session
from waypost.runner.terminal import TerminalProcess

__all__ = ["EXECUTION_VARIABLE", "ExecutionObserver", "Runner"]

EXECUTION_VARIABLE = "WAYPOST_EXECUTION_ID"
"""Set in every process the runner starts; how cleanup finds processes that left their group."""

_INLINE_LIMIT = 96 * 1024
"""Scripts longer than this go to a file: one argument may not exceed 128 KiB on Linux."""
_KEPT_FINISHED = 256
"""Finished executions kept for lookup by id (their results), oldest dropped first."""


class ExecutionObserver(Protocol):
    """Told when executions start and end (a team server records which replica runs what)."""

    def started(self, execution: Execution) -> None: ...

    def finished(self, execution: Execution, exit_code: int) -> None: ...


class Runner:
    """Sessions and executions. Thread-safe; use as a context manager or call ``close()``."""

    def __init__(
        self,
        store: SessionStore | None = None,
        *,
        sink: EventSink | None = None,
        source: str = "",
        system_env: Mapping[str, str] | None = None,
        observers: Iterable[ExecutionObserver] = (),
    ) -> None:
        """``system_env`` seeds new sessions (default: this process's environment); ``source``
        says who runs cells in learning events (``cli``, ``server``)."""
        self.store: SessionStore = store if store is not None else MemorySessionStore()
        self.observers = list(observers)
        self.sink = sink
        self.source = source
        self.system_env = dict(os.environ if system_env is None else system_env)
        self._executions: OrderedDict[ExecutionId, Execution] = OrderedDict()
        self._lock = threading.Lock()
        self._tempdir: Path | None = None
        self._closed = False
        _LIVE.add(self)

    # -- sessions ----------------------------------------------------------------------------

    def create_session(
        self,
        env: Mapping[str, str] | None = None,
        metadata: Mapping[str, str] | None = None,
        *,
        seed_system: bool = True,
        project: Path | None = None,
        env_order: Iterable[str] = DEFAULT_ENV_ORDER,
    ) -> Session:
        """A new session: the system environment, then the project's env files, then ``env``."""
        seeded: dict[str, str] = dict(self.system_env) if seed_system else {}
        if project is not None:
            seeded.update(load_env_files(project, env_order))
        seeded.update(env or {})
        session = new_session(seeded, metadata)
        self.store.put(session, expected_version=0)
        return session

    def get_session(self, session_id: SessionId) -> Session:
        session = self.store.get(session_id)
        if session is None:
            raise SessionNotFoundError("no such session", where=f"session {session_id}")
        return session

    def list_sessions(self) -> list[Session]:
        """Every session, most recently used first."""
        return self.store.list()

    def update_session(
        self,
        session_id: SessionId,
        *,
        env: Mapping[str, str] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Session:
        """Merge ``env`` into the session's variables and replace its metadata if given."""

        def change(session: Session) -> Session:
            merged = {**session.env, **(env or {})}
            return session.changed(env=merged, metadata=metadata)

        return update_session(self.store, session_id, change)

    def delete_session(self, session_id: SessionId) -> None:
        """Forget a session and kill whatever still runs in it."""
        for execution in self.executions(session_id):
            execution.stop(StopKind.KILL)
        if not self.store.delete(session_id):
            raise SessionNotFoundError("no such session", where=f"session {session_id}")

    def _session_for(self, request: ExecuteRequest) -> Session:
        if request.session_id:
            session = self.get_session(request.session_id)
        elif request.session_strategy is SessionStrategy.MOST_RECENT and self.store.list():
            session = self.store.list()[0]
        else:
            return self.create_session(request.env)
        if request.env:
            session = self.update_session(session.id, env=request.env)
        return session

    # -- executions --------------------------------------------------------------------------

    def execute(self, request: ExecuteRequest) -> Execution:
        """Start ``request`` and return at once; the program's pid is its ``Started`` event.

        Raises ``InterpreterNotFoundError``, ``SpawnError`` or ``EnvironmentLimitError`` when the
        program cannot start, ``SessionNotFoundError`` for an unknown session.
        """
        session = self._session_for(request)
        execution_id = ExecutionId(new_ulid())
        env = dict(session.env)
        env.update(request.run_env)
        env[EXECUTION_VARIABLE] = execution_id
        env = fit_environ(env)
        where = _where(request)
        program = request.program_in(env, where=where)
        directory = Path(request.directory or os.getcwd())
        if not directory.is_dir():
            raise SpawnError(f"working directory {directory} does not exist", where=where)
        plan = _Plan(self._private_dir(), execution_id, program)
        if program.mode is CommandMode.TERMINAL:
            request = replace(request, interactive=True)
        try:
            files = _output_files(request, directory)
            argv = plan.argv()
            if program.mode is CommandMode.TERMINAL and plan.dialect is Dialect.ENV0:
                env = {**env, "ENV": str(plan.script)}  # where sh -i finds its start-up file
            process = _spawn(request, argv, env, directory, where)
        except BaseException:
            plan.remove()
            raise
        execution = Execution(
            id=execution_id,
            session_id=session.id,
            request=request,
            program=program,
            process=process,
            files=files,
            finisher=lambda ex, code: self._finish(ex, code, plan),
            marker=f"{EXECUTION_VARIABLE}={execution_id}".encode(),
        )
        with self._lock:
            self._executions[execution_id] = execution
        execution.start()
        for observer in self.observers:
            with contextlib.suppress(Exception):  # an observer must never stop a run
                observer.started(execution)
        return execution

    def run_cell(
        self,
        notebook: Notebook,
        index: int,
        *,
        document: Path | None = None,
        base: Path | None = None,
        project: Path | None = None,
        env_order: Iterable[str] = DEFAULT_ENV_ORDER,
        **overrides: Any,
    ) -> Execution:
        """Run ``notebook.cells[index]`` as Runme would (see ``request_for_cell``).

        ``overrides`` replace request fields: ``session_id``, ``interactive``, ``winsize``,
        ``input``, ``background``, ``stdout_path``, ``source`` fields... When the cell gets a new
        session, ``project``'s env files (in ``env_order``, later winning) seed it.
        """
        request = replace(
            request_for_cell(notebook, index, document=document, base=base), **overrides
        )
        new = not request.session_id and (
            request.session_strategy is SessionStrategy.NEW or not self.store.list()
        )
        if new and project is not None:
            session = self.create_session(request.env, project=project, env_order=env_order)
            request = replace(request, session_id=session.id)
        return self.execute(request)

    def get_execution(self, execution_id: ExecutionId) -> Execution:
        with self._lock:
            execution = self._executions.get(execution_id)
        if execution is None:
            raise ExecutionNotFoundError("no such execution", where=f"execution {execution_id}")
        return execution

    def executions(
        self, session_id: SessionId | None = None, *, running: bool | None = None
    ) -> list[Execution]:
        """Known executions, oldest first; filter by session and by whether still running."""
        with self._lock:
            found = list(self._executions.values())
        return [
            e
            for e in found
            if (session_id is None or e.session_id == session_id)
            and (running is None or e.running == running)
        ]

    def stop(self, execution_id: ExecutionId, kind: StopKind = StopKind.INTERRUPT) -> None:
        self.get_execution(execution_id).stop(kind)

    def close(self) -> None:
        """Kill every running execution, wait for them, and remove the runner's files."""
        self._closed = True
        running = self.executions(running=True)
        for execution in running:
            execution.stop(StopKind.KILL)
        for execution in running:
            execution.wait()
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------

    def _private_dir(self) -> Path:
        with self._lock:
            if self._tempdir is None or not self._tempdir.is_dir():
                self._tempdir = Path(tempfile.mkdtemp(prefix="waypost-"))  # mode 0700
            return self._tempdir

    def _finish(
        self, execution: Execution, code: int, plan: _Plan
    ) -> tuple[EnvChanges, tuple[str, ...]]:
        request = execution.request
        warnings: list[str] = []
        changes = plan.captured(request, warnings)
        plan.remove()
        stored, notes = self._store(execution, changes)
        warnings.extend(notes)
        self._emit(execution, code)
        self._forget_old()
        for observer in self.observers:
            with contextlib.suppress(Exception):
                observer.finished(execution, code)
        return stored, tuple(warnings)

    def _store(self, execution: Execution, changes: EnvChanges) -> tuple[EnvChanges, list[str]]:
        request = execution.request
        updates = dict(changes.set)
        trimmable = {LAST_OUTPUT}
        if request.store_last_output:
            value = output_value(execution.last_output)
            updates[LAST_OUTPUT] = value
            if is_output_name(request.known_name):
                updates[request.known_name] = value
                trimmable.add(request.known_name)
        full = EnvChanges(MappingProxyType(updates), changes.unset)
        warnings: list[str] = []

        def change(session: Session) -> Session:
            env, notes = apply_changes(session.env, full, trimmable=trimmable)
            warnings[:] = notes
            return session.changed(env=env)

        with contextlib.suppress(SessionNotFoundError):  # deleted while the cell ran
            update_session(self.store, execution.session_id, change)
        return changes, warnings

    def _emit(self, execution: Execution, code: int) -> None:
        if self.sink is None:
            return
        request = execution.request
        with contextlib.suppress(Exception):  # learning must never break a run
            self.sink.emit(
                execute(
                    cell_id=request.known_id,
                    command=execution.program.script,
                    language=request.language,
                    exit_code=code,
                    duration_ms=(time.time() - execution.started) * 1000,
                    context=list(request.context),
                    session_id=execution.session_id,
                    notebook=request.notebook,
                    name=request.known_name,
                    source=self.source,
                )
            )

    def _forget_old(self) -> None:
        with self._lock:
            finished = [k for k, e in self._executions.items() if not e.running]
            for key in finished[: max(len(finished) - _KEPT_FINISHED, 0)]:
                del self._executions[key]


_LIVE: weakref.WeakSet[Runner] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """A server or script that exits without closing its runner still leaves no process behind."""
    for runner in list(_LIVE):
        runner.close()


class _Plan:
    """The files one execution needs in the runner's private directory, and its argv."""

    def __init__(self, directory: Path, execution_id: ExecutionId, program: Program) -> None:
        self.program = program
        self.before = directory / f"env-{execution_id}.before"
        self.after = directory / f"env-{execution_id}.after"
        extension = f".{program.file_extension}" if program.file_extension else ""
        self.script = directory / f"script-{execution_id}{extension}"

    @property
    def dialect(self) -> Dialect | None:
        return self.program.dialect

    def argv(self) -> list[str]:
        program = self.program
        argv = list(program.argv)
        if program.mode is CommandMode.PROGRAM:
            return argv
        if program.mode is CommandMode.FILE:
            return [*argv, self._write(program.script)]
        if program.mode is CommandMode.TERMINAL and self.dialect is not None:
            rc = self._write(terminal_rc(self.dialect, before=self.before, after=self.after))
            if self.dialect is Dialect.BASH:
                return [*argv, "--rcfile", rc, "-i"]
            return [*argv, "-i"]  # other POSIX shells read the file named by $ENV
        if self.dialect is not None:
            script = wrap(
                program.script,
                program=argv[0],
                dialect=self.dialect,
                before=self.before,
                after=self.after,
            )
            if len(script) > _INLINE_LIMIT:
                return [*argv, self._write(script)]
            return [*argv, "-c", script]
        return [*argv, "-c", program.script] if is_shell(argv[0]) else [*argv, program.script]

    def _write(self, text: str) -> str:
        self.script.write_text(text, encoding="utf-8", errors="surrogateescape")
        return str(self.script)

    def captured(self, request: ExecuteRequest, warnings: list[str]) -> EnvChanges:
        if self.dialect is None:
            return EnvChanges()
        before = read_dump(self.before, self.dialect)
        after = read_dump(self.after, self.dialect)
        if before is None or after is None:
            if before is not None and dump_failed(self.after):
                warnings.append(
                    "exported variables not captured: `env` could not list them "
                    f"(is a value over {MAX_VALUE_BYTES} bytes?)"
                )
            elif before is not None:
                warnings.append("exported variables not captured: the shell ended abruptly")
            return EnvChanges()
        ignore = {"_", LAST_OUTPUT, EXECUTION_VARIABLE, *request.run_env}
        return diff_env(before, after, ignore=ignore)

    def remove(self) -> None:
        for path in (self.before, self.after, self.script):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _where(request: ExecuteRequest) -> str:
    name = request.known_name or request.known_id
    if request.notebook and name:
        return f"{request.notebook}: {name}"
    return name or request.notebook


def _output_files(request: ExecuteRequest, directory: Path) -> OutputFiles | None:
    paths = {}
    if request.stdout_path:
        paths[Stream.STDOUT] = directory / request.stdout_path
    if request.stderr_path and not request.interactive:
        paths[Stream.STDERR] = directory / request.stderr_path
    elif request.stderr_path:
        paths.setdefault(Stream.STDOUT, directory / request.stderr_path)
    if not paths:
        return None
    try:
        return OutputFiles(paths)
    except OSError as exc:
        raise SpawnError(f"cannot write output file: {exc}", where=_where(request)) from exc


def _spawn(
    request: ExecuteRequest, argv: list[str], env: dict[str, str], directory: Path, where: str
) -> Process:
    try:
        if request.interactive:
            return TerminalProcess(argv, env=env, cwd=directory, winsize=request.winsize)
        return PipeProcess(argv, env=env, cwd=directory)
    except FileNotFoundError as exc:
        raise InterpreterNotFoundError(f"{argv[0]}: command not found", where=where) from exc
    except PermissionError as exc:
        raise SpawnError(f"{argv[0]}: permission denied", where=where) from exc
    except OSError as exc:
        if exc.errno == errno.E2BIG:
            raise EnvironmentLimitError("argument list too long", where=where) from exc
        raise SpawnError(f"{argv[0]}: {exc.strerror or exc}", where=where) from exc
