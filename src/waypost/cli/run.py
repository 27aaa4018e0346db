"""``waypost run``: run cells from the terminal with their output live, in one session."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Annotated, BinaryIO

import typer

from waypost.cli.console import err
from waypost.cli.options import (
    AllowUnknown,
    AllowUnnamed,
    Chdir,
    Filename,
    GitIgnore,
    IgnorePattern,
    ProjectDir,
    ProjectOptions,
)
from waypost.cli.remote import RemoteRunner, connect, default_tls_dir, healthy
from waypost.cli.tasks import load_tasks, pick_task
from waypost.cli.terminal import attached, terminal_size, tty_stdin
from waypost.config import load_config
from waypost.errors import TaskError, UsageError
from waypost.learn.events import EventSink, JsonlEventSink
from waypost.project import Task, find_git_root, find_tasks
from waypost.runner import (
    Execution,
    Exited,
    Output,
    Runner,
    Session,
    StopKind,
    Stream,
    VarStatus,
    is_shell_language,
    request_for_cell,
    resolve_variables,
)

__all__ = ["ENV_ORDER", "app", "env_files_order"]

app = typer.Typer()

ENV_ORDER = ".env.local,.env"
"""Runme's default: ``.env.local`` first, i.e. its values win over ``.env``'s."""

_PLAY = " ► "


def env_files_order(option: str) -> list[str]:
    """``--env-order`` lists files highest priority first; they are read lowest first."""
    return [name.strip() for name in reversed(option.split(",")) if name.strip()]


EnvOrder = Annotated[
    str,
    typer.Option(
        "--env-order",
        help="Env files of the project, highest priority first (comma-separated).",
    ),
]


ServerAddress = Annotated[
    str | None,
    typer.Option(
        "--server",
        "-s",
        envvar="RUNME_SERVER_ADDR",
        help="Run on this server (Runme's runner API), e.g. localhost:7863.",
    ),
]
TlsDir = Annotated[
    Path | None,
    typer.Option(
        "--tls", envvar="RUNME_TLS_DIR", help="Directory of the server's cert.pem and key.pem."
    ),
]
Insecure = Annotated[
    bool | None,
    typer.Option(
        "--insecure/--no-insecure",
        help="Connect to --server without TLS; given either way, never fall back to local.",
    ),
]


@app.command("run")
def run(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Cells to run: <name> or <file>/<name>.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Run every cell, in order.")] = False,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Run the cells with this tag.")
    ] = None,
    index: Annotated[
        int, typer.Option("--index", "-i", help="Run the cell at this index (file mode).")
    ] = -1,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would run instead of running it.")
    ] = False,
    parallel: Annotated[
        bool, typer.Option("--parallel", "-p", help="Run the cells at the same time.")
    ] = False,
    skip_prompts: Annotated[
        bool, typer.Option("--skip-prompts", "-y", help="Never ask before running.")
    ] = False,
    env_order: EnvOrder = ENV_ORDER,
    server: ServerAddress = None,
    tls: TlsDir = None,
    insecure: Insecure = None,
    filename: Filename = None,
    chdir: Chdir = None,
    project: ProjectDir = None,
    allow_unnamed: AllowUnnamed = None,
    allow_unknown: AllowUnknown = None,
    git_ignore: GitIgnore = None,
    ignore_pattern: IgnorePattern = None,
) -> None:
    """Run cells in one session: a cell's exported variables reach the next ones."""
    options = ProjectOptions.of(ctx, locals())
    tasks = select_tasks(options, names or [], all_=all_, tags=tag or [], index=index)
    if dry_run:
        _dry_run(tasks)
        return
    remote = remote_runner(server, tls, insecure) if server else None
    if remote is not None and parallel and len(tasks) > 1:
        raise UsageError("--parallel runs cells here, not on a server", where="--server")
    prompts = remote is None and _prompts_enabled(tasks, skip_prompts)
    if prompts and len(tasks) > 1 and not typer.confirm(f"Run all {len(tasks)} tasks?", err=True):
        raise typer.Exit(1)
    order = env_files_order(env_order)
    if remote is not None:
        code = run_remote(remote, options, tasks, env_order=order)
    else:
        code = run_tasks(options, tasks, parallel=parallel, env_order=order, prompts=prompts)
    if code:
        raise typer.Exit(code)


app.command("exec", hidden=True, help="Alias of run.")(run)


# -- which cells -------------------------------------------------------------------------------


def select_tasks(
    options: ProjectOptions, names: list[str], *, all_: bool, tags: list[str], index: int
) -> list[Task]:
    """The tasks the command line asks for, in the order they will run."""
    if index >= 0:
        return [_by_index(options, index)]
    if names and (all_ or tags):
        raise UsageError("give cell names, or --all / --tag, not both")
    if names:
        return [_by_name(options, name) for name in names]
    if not (all_ or tags):
        raise UsageError("name a cell to run, or use --all or --tag")
    found = [t for t in load_tasks(options) if t.run_all]
    if tags:
        found = [t for t in found if set(tags) & set(t.tags)]
    if not found:
        raise TaskError("no cells to run" + (f" with tag {', '.join(tags)}" if tags else ""))
    return found


def _by_index(options: ProjectOptions, index: int) -> Task:
    if not options.file_mode:
        raise UsageError("--index needs a single file (--filename or --chdir)")
    tasks = load_tasks(options.merged(allow_unnamed=True, allow_unknown=True))
    if index >= len(tasks):
        raise TaskError(f"--index {index}: the file has {len(tasks)} code cells")
    return tasks[index]


def _by_name(options: ProjectOptions, name: str) -> Task:
    """Runme's lookup: named cells first; if none matches, unnamed ones too."""
    if find_tasks(load_tasks(options), name):
        return pick_task(options, name)
    return pick_task(options.merged(allow_unnamed=True), name)


def _prompts_enabled(tasks: list[Task], skip_prompts: bool) -> bool:
    """Ask only a person at a terminal, unless told not to (``-y``, frontmatter ``skipPrompts``)."""
    skip = skip_prompts or any(
        t.notebook.frontmatter is not None and t.notebook.frontmatter.skip_prompts for t in tasks
    )
    return not skip and tty_stdin() and sys.stdout.isatty()


def _prompt_env(runner: Runner, session: Session, task: Task) -> tuple[str, ...] | None:
    """Ask for the values of the cell's unresolved exports (Runme's env prompts).

    Returns the commands to run instead (exports of known values commented out), or ``None``.
    """
    cell = task.cell
    if not is_shell_language(cell.language) or cell.attribute("promptEnv").lower() in (
        "no",
        "false",
        "0",
    ):
        return None
    lines = cell.lines
    current = runner.get_session(session.id).env
    answers = {}
    for var in resolve_variables(lines, session=current).unresolved:
        if var.status is VarStatus.UNSPECIFIED and var.name in current:
            continue
        secret = var.status is VarStatus.UNRESOLVED_WITH_SECRET
        message = var.original_value if var.status is VarStatus.UNRESOLVED_WITH_MESSAGE else ""
        default = var.original_value if var.status is VarStatus.UNRESOLVED_WITH_PLACEHOLDER else ""
        label = f"{var.name} ({message})" if message else var.name
        answers[var.name] = typer.prompt(
            label, default=default or None, hide_input=secret, err=True, show_default=True
        )
    if not answers:
        return None
    runner.update_session(session.id, env=answers)
    resolved = resolve_variables(lines, session=runner.get_session(session.id).env)
    return tuple(resolved.script.split("\n"))


def _dry_run(tasks: list[Task]) -> None:
    for task in tasks:
        request = request_for_cell(task.notebook, task.index, document=task.path)
        program = request.program_in(os.environ, where=f"{task.relpath}: {task.name}")
        err.print(f"# {task.relpath}/{task.name} in {request.directory}", markup=False)
        err.print(f"# {' '.join(program.argv)} ({program.mode.value})", markup=False)
        err.print(program.script, markup=False)


# -- running -----------------------------------------------------------------------------------


def run_tasks(
    options: ProjectOptions,
    tasks: list[Task],
    *,
    parallel: bool,
    env_order: list[str],
    prompts: bool = False,
) -> int:
    """Run ``tasks`` in one new session; the exit code of the first that fails, else 0."""
    project = options.open()
    with _ending_on_signals(), Runner(sink=_event_sink(), source="cli") as runner:
        session = runner.create_session(
            project=None if options.file_mode else project.root, env_order=env_order
        )
        if parallel and len(tasks) > 1:
            return _run_parallel(runner, session, tasks, project.root)

        def one(task: Task) -> int:
            commands = _prompt_env(runner, session, task) if prompts else None
            return _run_one(runner, session, task, project.root, commands)

        return _in_order(tasks, one)


def _in_order(tasks: list[Task], run: Callable[[Task], int]) -> int:
    """``run`` each task, announced when there are several; stop at the first that fails."""
    many = len(tasks) > 1
    for task in tasks:
        if many:
            _say(f"Running task {task.name}...")
        code = run(task)
        if many:
            _say(f"{'✓' if code == 0 else '𐄂'} Task {task.name} exited with code {code}")
        if code:
            return code
    return 0


def remote_runner(server: str, tls: Path | None, insecure: bool | None) -> RemoteRunner | None:
    """A runner on ``server``, or ``None`` to run here: as Runme, a server that does not answer
    is skipped unless ``--insecure`` was given (either way)."""
    tls_dir = tls or default_tls_dir()
    if insecure is None and not healthy(server, tls_dir=tls_dir, insecure=False):
        return None
    channel = connect(server, tls_dir=tls_dir, insecure=bool(insecure))
    config = load_config(find_git_root(Path.cwd()))
    return RemoteRunner(channel, token=os.environ.get("WAYPOST_TOKEN") or config.server.token)


def run_remote(
    remote: RemoteRunner, options: ProjectOptions, tasks: list[Task], *, env_order: list[str]
) -> int:
    """Run ``tasks`` in one session on the server; the exit code of the first that fails."""
    project = options.open()
    remote.start_session(None if options.file_mode else project.root, env_order)
    try:
        return _in_order(
            tasks, lambda task: remote.run(task, project.root, sys.stdout.buffer, sys.stderr.buffer)
        )
    finally:
        remote.end_session()


def _say(text: str) -> None:
    sys.stderr.write(f"{_PLAY} {text}\n")
    sys.stderr.flush()


def _run_one(
    runner: Runner,
    session: Session,
    task: Task,
    base: Path,
    commands: tuple[str, ...] | None = None,
) -> int:
    interactive = task.cell.flag("interactive", True) and tty_stdin()
    extra = {"commands": commands} if commands is not None else {}
    execution = runner.run_cell(
        task.notebook,
        task.index,
        document=task.path,
        base=base,
        session_id=session.id,
        interactive=interactive,
        winsize=terminal_size() if interactive else None,
        background=False,
        **extra,
    )
    with attached(execution) if interactive else contextlib.nullcontext():
        return _stream(execution, sys.stdout.buffer, sys.stderr.buffer)


def _stream(execution: Execution, stdout: BinaryIO, stderr: BinaryIO) -> int:
    """Write the output as it comes; Ctrl-C interrupts the cell, a second one kills it."""
    code = 1
    with _interrupting([execution]):
        for event in execution.events():
            if isinstance(event, Output):
                target = stdout if event.stream is Stream.STDOUT else stderr
                target.write(event.data)
                target.flush()
            elif isinstance(event, Exited) and event.exit_code is not None:
                code = event.exit_code
    return code


@contextlib.contextmanager
def _interrupting(executions: list[Execution]) -> Iterator[None]:
    """While cells run, SIGINT stops them (they run in their own sessions, so the terminal's
    Ctrl-C does not reach them): first an interrupt, then a kill."""
    count = 0

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal count
        count += 1
        for execution in executions:
            execution.stop(StopKind.INTERRUPT if count == 1 else StopKind.KILL)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_parallel(runner: Runner, session: Session, tasks: list[Task], base: Path) -> int:
    """All tasks at once on pipes (no input), each output line prefixed with ``[name]``."""
    _say(f"Running all tasks in parallel: {', '.join(t.name for t in tasks)}...")
    lock = threading.Lock()
    codes: dict[int, int] = {}
    executions = [
        runner.run_cell(
            t.notebook,
            t.index,
            document=t.path,
            base=base,
            session_id=session.id,
            interactive=False,
            background=False,
        )
        for t in tasks
    ]

    def pump(i: int) -> None:
        codes[i] = _stream_prefixed(executions[i], f"[{tasks[i].name}] ", lock)
        with lock:
            status = "✓" if codes[i] == 0 else "𐄂"
            _say(f"{status} Task {tasks[i].name} exited with code {codes[i]}")

    threads = [threading.Thread(target=pump, args=(i,), daemon=True) for i in range(len(tasks))]
    with _interrupting(executions):
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)  # a bounded join lets the main thread run the SIGINT handler
    return next((codes[i] for i in range(len(tasks)) if codes.get(i)), 0)


def _stream_prefixed(execution: Execution, prefix: str, lock: threading.Lock) -> int:
    pending = {Stream.STDOUT: b"", Stream.STDERR: b""}
    targets = {Stream.STDOUT: sys.stdout.buffer, Stream.STDERR: sys.stderr.buffer}
    tag = prefix.encode()
    code = 1
    for event in execution.events():
        if isinstance(event, Output):
            lines = (pending[event.stream] + event.data).split(b"\n")
            pending[event.stream] = lines.pop()
            if lines:
                _write(targets[event.stream], b"".join(tag + line + b"\n" for line in lines), lock)
        elif isinstance(event, Exited):
            code = event.exit_code if event.exit_code is not None else 1
    for stream, rest in pending.items():
        if rest:
            _write(targets[stream], tag + rest + b"\n", lock)
    return code


def _write(target: BinaryIO, data: bytes, lock: threading.Lock) -> None:
    with lock:
        target.write(data)
        target.flush()


def _event_sink() -> EventSink | None:
    """Every run is a learning event, in the event log the config names."""
    return JsonlEventSink(load_config(find_git_root(Path.cwd())).events_dir)


@contextlib.contextmanager
def _ending_on_signals() -> Iterator[None]:
    """SIGTERM/SIGHUP end the run through Python, so the runner kills its cells on the way out."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
