"""Programs: which interpreter runs a cell, and how the cell's code reaches it.

Runme's rules: the cell's ``interpreter`` attribute wins; shell cells then use the frontmatter
``shell``; otherwise the language picks the first of its candidates found on ``PATH`` (the
session's ``PATH`` first). Shells get the code inline (``-c``), everything else gets a script
file. A language nobody knows falls back to ``cat``, which prints the cell (handy with a name
like ``MY_TEXT`` to keep text in a variable). A known language whose programs are all missing is
an error that names them, like a shell's "command not found".
"""

from __future__ import annotations

import enum
import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from waypost.errors import InterpreterNotFoundError, UsageError
from waypost.runner.capture import Dialect, dialect_of

__all__ = [
    "SHELL_LANGUAGES",
    "CommandMode",
    "Program",
    "file_extension_for",
    "interpreters_for",
    "is_shell",
    "is_shell_language",
    "resolve_program",
]

SHELL_LANGUAGES = frozenset({"", "sh", "bash", "zsh", "ksh", "fish", "shell", "shellscript"})

_SHELL_PROGRAMS = frozenset(
    {"sh", "bash", "zsh", "ksh", "dash", "ash", "mksh", "yash", "posh", "fish", "pwsh"}
)

_INTERPRETERS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("js", "javascript", "jsx", "javascriptreact"): ("node",),
    ("ts", "typescript", "tsx", "typescriptreact"): ("ts-node", "deno run", "bun run"),
    ("sh", "bash", "shell", "shellscript"): ("bash", "sh"),
    ("ksh",): ("ksh",),
    ("zsh",): ("zsh",),
    ("fish",): ("fish",),
    ("powershell",): ("powershell", "pwsh"),
    ("cmd", "dos"): ("cmd",),
    ("lua",): ("lua",),
    ("perl",): ("perl",),
    ("php",): ("php",),
    ("python", "py"): ("python3", "python"),
    ("ruby", "rb"): ("ruby",),
    ("rust", "rs"): ("rust-script",),
    ("clojure", "clj", "cljc", "cljx", "cljs"): ("bb",),
    ("go", "golang"): ("go run",),
}
_BY_LANGUAGE = {lang: progs for langs, progs in _INTERPRETERS.items() for lang in langs}

_EXTENSIONS = {
    "js": "js",
    "javascript": "js",
    "jsx": "jsx",
    "javascriptreact": "jsx",
    "ts": "ts",
    "typescript": "ts",
    "tsx": "tsx",
    "typescriptreact": "tsx",
    "sh": "sh",
    "bash": "sh",
    "ksh": "sh",
    "zsh": "sh",
    "fish": "sh",
    "shell": "sh",
    "shellscript": "sh",
    "powershell": "ps1",
    "cmd": "bat",
    "dos": "bat",
    "python": "py",
    "py": "py",
    "ruby": "rb",
    "rb": "rb",
    "go": "go",
    "golang": "go",
    "lua": "lua",
    "perl": "pl",
    "php": "php",
    "rust": "rs",
    "rs": "rs",
}


class CommandMode(enum.Enum):
    """How the code reaches the program (Runme's ``CommandMode``)."""

    AUTO = "auto"
    """Inline for shells, a script file for everything else."""
    INLINE = "inline"
    """Shells: ``-c <script>``; other programs: the script as their last argument."""
    FILE = "file"
    """The script in a temporary file, passed as the last argument."""
    PROGRAM = "program"
    """The program with its arguments only; no code (Runme v1's ``COMMAND_MODE_UNSPECIFIED``)."""
    TERMINAL = "terminal"
    """An interactive shell on a terminal, started in the session's environment; what it exports
    goes back to the session when it exits (``save`` exits). Runme's "Runme terminal"."""


@dataclass(frozen=True, slots=True)
class Program:
    """A resolved program: what to start, before the runner adds the script or its file."""

    argv: tuple[str, ...]
    """The program (an absolute path) and its own arguments."""
    script: str
    """The cell's code as it will run (without the runner's env-capture wrapper)."""
    mode: CommandMode
    """``INLINE``, ``FILE``, ``PROGRAM`` or ``TERMINAL``, never ``AUTO``."""
    language: str = ""
    file_extension: str = ""
    """Extension for the script file in ``FILE`` mode (some interpreters need the right one)."""

    @property
    def shell(self) -> bool:
        return is_shell(self.argv[0])

    @property
    def dialect(self) -> Dialect | None:
        """How to capture the environment, for POSIX shells inline or on a terminal; else
        ``None``."""
        if self.mode not in (CommandMode.INLINE, CommandMode.TERMINAL):
            return None
        return dialect_of(self.argv[0])


def is_shell(program: str) -> bool:
    return Path(program).name in _SHELL_PROGRAMS


def is_shell_language(language: str) -> bool:
    return language.lower() in SHELL_LANGUAGES


def interpreters_for(language: str) -> tuple[str, ...]:
    """Runme's candidates for a language, in order; empty for a language it does not know."""
    return _BY_LANGUAGE.get(language.lower(), ())


def file_extension_for(language: str) -> str:
    return _EXTENSIONS.get(language.lower(), language.lower() if language.isalnum() else "")


def _which(name: str, env: Mapping[str, str]) -> str | None:
    if os.sep in name:
        return name if os.access(name, os.X_OK) and not os.path.isdir(name) else None
    return shutil.which(name, path=env.get("PATH")) or shutil.which(name)


def _split(command: str, *, where: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"cannot read {command!r}: {exc}", where=where) from None
    if not words:
        raise UsageError("empty program", where=where)
    return words


def _find(command: str, env: Mapping[str, str], *, where: str) -> list[str] | None:
    words = _split(command, where=where)
    found = _which(words[0], env)
    return [found, *words[1:]] if found else None


def _default_shell(env: Mapping[str, str]) -> list[str]:
    """Runme's shell for cells without a language: ``$SHELL``, else ``sh``, else ``/bin/sh``."""
    for candidate in (env.get("SHELL") or os.environ.get("SHELL") or "", "sh"):
        if candidate and is_shell(candidate):
            found = _which(candidate, env)
            if found:
                return [found]
    return ["/bin/sh"]


def _terminal_shell(program: str, env: Mapping[str, str]) -> list[str]:
    """The shell a terminal runs: the one asked for if it is a POSIX shell, else bash, else the
    default shell (only POSIX shells can hand their exports back)."""
    for candidate in (program, "bash"):
        found = _which(candidate, env) if candidate else None
        if found and dialect_of(found) is not None:
            return [found]
    return _default_shell(env)


def _argv(language: str, program: str, shell: str, env: Mapping[str, str], where: str) -> list[str]:
    if program:
        found = _find(program, env, where=where)
        if found is None:
            raise _missing(language, [program], where)
        return found
    if is_shell_language(language) and shell:
        found = _find(shell, env, where=where)
        if found is None:
            raise _missing(language, [shell], where)
        return found
    if language == "":
        return _default_shell(env)
    candidates = interpreters_for(language)
    if not candidates:
        return [_which("cat", env) or "cat"]
    for candidate in candidates:
        found = _find(candidate, env, where=where)
        if found:
            return found
    raise _missing(language, list(candidates), where)


def _missing(language: str, tried: list[str], where: str) -> InterpreterNotFoundError:
    names = ", ".join(shlex.split(t)[0] for t in tried)
    what = f"a {language} cell" if language else "this cell"
    return InterpreterNotFoundError(
        f"{names}: command not found (needed to run {what}); install it or set the cell's "
        '"interpreter" attribute',
        where=where,
    )


def resolve_program(
    *,
    language: str,
    script: str,
    program: str = "",
    arguments: tuple[str, ...] = (),
    shell: str = "",
    mode: CommandMode = CommandMode.AUTO,
    file_extension: str = "",
    env: Mapping[str, str] | None = None,
    where: str = "",
) -> Program:
    """The program that runs ``script``, found on the session's ``PATH`` (``env``).

    ``program`` is the cell's ``interpreter`` (or a request's program name) and may carry
    arguments (``deno run``); ``shell`` is the frontmatter ``shell``, used for shell languages.
    """
    if mode is CommandMode.TERMINAL:
        argv = _terminal_shell(program.strip() or shell.strip(), env or {})
    else:
        argv = _argv(language, program.strip(), shell.strip(), env or {}, where)
    argv.extend(arguments)
    if mode is CommandMode.AUTO:
        mode = CommandMode.INLINE if is_shell(argv[0]) else CommandMode.FILE
    return Program(
        argv=tuple(argv),
        script=script,
        mode=mode,
        language=language,
        file_extension=file_extension or file_extension_for(language),
    )
