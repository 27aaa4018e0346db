"""Every error Waypost raises on purpose, in one tree.

    WaypostError                 base class; carries ``where`` (file:line, cell, field) and ``exit_code``
    ├── FormatError              a runbook that cannot be read as a notebook
    │   ├── BinaryFileError      NUL bytes: not a text file
    │   └── EncodingError        not valid UTF-8
    ├── ProjectError             a project or file that cannot be found or read
    ├── TaskError                a cell named on the command line is unknown or ambiguous
    ├── ConflictError            a file changed on disk since it was read
    ├── ConfigError              a setting with a bad value
    ├── ProviderError            an AI provider could not answer (missing key, 401, 429, timeout...)
    ├── UsageError               a request that makes no sense (bad flag combination, bad field)
    └── RunnerError              running a cell went wrong before or around the process
        ├── SessionNotFoundError      no session with that id
        ├── SessionConflictError      a session changed since it was read (optimistic concurrency)
        ├── ExecutionNotFoundError    no execution with that id
        ├── InterpreterNotFoundError  the cell's interpreter is not installed (exit code 127)
        ├── EnvironmentLimitError     the environment is too large to start a process with
        └── SpawnError                the process could not be started (bad directory, not executable)

Adapters translate these in one place each: the CLI prints ``Error: <message>`` and exits with
``exit_code``; the servers map them to a status code.
"""

from __future__ import annotations

__all__ = [
    "BinaryFileError",
    "ConfigError",
    "ConflictError",
    "EncodingError",
    "EnvironmentLimitError",
    "ExecutionNotFoundError",
    "FormatError",
    "InterpreterNotFoundError",
    "ProjectError",
    "ProviderError",
    "RunnerError",
    "SessionConflictError",
    "SessionNotFoundError",
    "SpawnError",
    "TaskError",
    "UsageError",
    "WaypostError",
]


class WaypostError(Exception):
    """Base class. ``where`` names the place (``runbook.md:12``, ``cell 01H...``, ``field name``)."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class FormatError(WaypostError):
    """The bytes cannot be read as a Markdown notebook."""


class BinaryFileError(FormatError):
    """The input contains NUL bytes, so it is not a text file."""


class EncodingError(FormatError):
    """The input is not valid UTF-8."""


class ProjectError(WaypostError):
    """A project directory or runbook file cannot be found or read."""


class TaskError(WaypostError):
    """A cell named by the user does not exist, or more than one matches."""


class ConflictError(WaypostError):
    """The file on disk changed since it was read; writing would lose someone's edit."""


class ConfigError(WaypostError):
    """A configuration value is missing or malformed."""

    exit_code = 2


class ProviderError(WaypostError):
    """An AI provider could not answer. ``kind`` says why: ``missing_key``, ``auth``, ``rate_limit``,
    ``timeout``, ``unavailable``, ``bad_request``, ``malformed``."""

    def __init__(self, message: str, *, kind: str, provider: str, where: str | None = None) -> None:
        super().__init__(message, where=where or provider)
        self.kind = kind
        self.provider = provider


class UsageError(WaypostError):
    """A request or command line that cannot be carried out as given."""

    exit_code = 2


class RunnerError(WaypostError):
    """Running a cell failed outside the cell's own program (its exit code is not an error)."""


class SessionNotFoundError(RunnerError):
    """No session has this id (never created, deleted, or evicted from the store)."""


class SessionConflictError(RunnerError):
    """The session's version moved on since it was read; read it again and retry."""


class ExecutionNotFoundError(RunnerError):
    """No execution has this id."""


class InterpreterNotFoundError(RunnerError):
    """None of the programs that could run the cell is on ``PATH``; exits like a shell would."""

    exit_code = 127


class EnvironmentLimitError(RunnerError):
    """The session's variables are too large for the operating system to start a process with."""


class SpawnError(RunnerError):
    """The operating system refused to start the process."""

    exit_code = 126
