"""ResolveProgram: which ``export NAME=value`` lines of a shell cell want a value from the user.

Runme reads a cell's top-level exports whose value is plain text (no ``$(...)``, no ``${...}``
except a ``${NAME:-default}``): a quoted value is a placeholder to offer, a bare one a message to
show, and a variable already known (request, ``.env`` files, session) is resolved. The "first
run" retention ("docs mode") then comments out exports of variables the session already holds,
so a value the user gave earlier wins over the document's example; "last run" ("shell mode")
leaves the script alone.

Simplification: Runme parses with a full shell parser; this reads lines, skipping heredoc bodies
and continuation lines, which finds the same exports in the runbooks we have seen.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from waypost.masking import is_secret_name

__all__ = [
    "ResolveMode",
    "ResolvedProgram",
    "ResolvedVar",
    "Retention",
    "VarStatus",
    "resolve_variables",
]


class VarStatus(enum.Enum):
    RESOLVED = "resolved"
    UNRESOLVED_WITH_MESSAGE = "message"
    UNRESOLVED_WITH_PLACEHOLDER = "placeholder"
    UNRESOLVED_WITH_SECRET = "secret"
    UNSPECIFIED = "unspecified"


class ResolveMode(enum.Enum):
    AUTO = "auto"
    PROMPT_ALL = "prompt_all"
    SKIP_ALL = "skip_all"


class Retention(enum.Enum):
    FIRST_RUN = "first"
    """Docs mode: a value the session already has wins over the document's export."""
    LAST_RUN = "last"
    """Shell mode: the document's export runs as written."""


@dataclass(frozen=True, slots=True)
class ResolvedVar:
    name: str
    status: VarStatus
    original_value: str
    """The value as written in the cell (quotes removed)."""
    resolved_value: str = ""
    """The value found in the sources, if any."""


@dataclass(frozen=True, slots=True)
class ResolvedProgram:
    script: str
    """The script to run: with the retention header, first-run exports commented out."""
    vars: tuple[ResolvedVar, ...]
    """Resolved variables first (by name), then the others in script order."""

    @property
    def unresolved(self) -> list[ResolvedVar]:
        return [v for v in self.vars if v.status is not VarStatus.RESOLVED]


_EXPORT = re.compile(
    r"^(?P<indent>\s*)export\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:=(?P<value>.*))?$"
)
_DEFAULT = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:-(?P<default>[^}$`]*)\}$")
_HEREDOC = re.compile(r"<<-?\s*['\"]?(?P<tag>[A-Za-z_][A-Za-z0-9_]*)['\"]?")
_EXPANSION = re.compile(r"\$[({]|`|\$[A-Za-z_0-9@*#?$!-]")


def _classify(raw: str) -> tuple[str, bool] | None:
    """(value, is_placeholder) for a plain value; ``None`` if it expands anything."""
    value = raw.strip()
    if not value:
        return "", False
    default = _DEFAULT.match(value)
    if default:
        return default.group("default"), True
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        if value[0] == '"' and _EXPANSION.search(inner):
            return None
        return inner, True
    if _EXPANSION.search(value):
        return None
    return re.sub(r"\\(.)", r"\1", value), False


def _exports(lines: Sequence[str]) -> list[tuple[int, str, str, bool]]:
    """(line index, name, value, is_placeholder) of the top-level plain exports."""
    found = []
    heredoc: str | None = None
    continued = False
    for index, line in enumerate(lines):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        if not continued:
            match = _EXPORT.match(line.rstrip())
            plain = _classify(match.group("value") or "") if match else None
            if match and plain is not None:
                found.append((index, match.group("name"), plain[0], plain[1]))
        tag = _HEREDOC.search(line)
        heredoc = tag.group("tag") if tag else None
        continued = line.endswith("\\")
    return found


def _status(
    name: str, value: str, placeholder: bool, found: str | None, mode: ResolveMode
) -> tuple[VarStatus, str]:
    if mode is ResolveMode.SKIP_ALL:
        return VarStatus.RESOLVED, found if found is not None else value
    if mode is ResolveMode.PROMPT_ALL:
        if is_secret_name(name):
            return VarStatus.UNRESOLVED_WITH_SECRET, ""
        if found is not None:
            return VarStatus.UNRESOLVED_WITH_PLACEHOLDER, found
    elif found is not None:
        return VarStatus.RESOLVED, found
    elif is_secret_name(name) and not value:
        return VarStatus.UNRESOLVED_WITH_SECRET, ""
    if placeholder:
        return VarStatus.UNRESOLVED_WITH_PLACEHOLDER, ""
    if value:
        return VarStatus.UNRESOLVED_WITH_MESSAGE, ""
    return VarStatus.UNSPECIFIED, ""


def resolve_variables(
    lines: Sequence[str],
    *,
    sources: Sequence[Mapping[str, str]] = (),
    session: Mapping[str, str] | None = None,
    mode: ResolveMode = ResolveMode.AUTO,
    retention: Retention = Retention.FIRST_RUN,
) -> ResolvedProgram:
    """Resolve a shell cell's exports against ``sources`` (request env, ``.env`` files) and
    ``session``, later ones winning, as Runme's ``ResolveProgram`` does."""
    known: dict[str, str] = {}
    for source in (*sources, session or {}):
        known.update(source)
    exports = _exports(lines)
    resolved, unresolved = [], []
    for _, name, value, placeholder in exports:
        status, found = _status(name, value, placeholder, known.get(name), mode)
        var = ResolvedVar(name, status, value, found)
        (resolved if status is VarStatus.RESOLVED else unresolved).append(var)
    script = list(lines)
    if retention is Retention.FIRST_RUN and session:
        for index, name, _, _ in exports:
            if name in session:
                original = script[index]
                script[index] = f"#\n# {name} set in managed env store\n# {original.strip()!r}"
    header = f"# Managed env store retention strategy: {retention.value}\n\n" if exports else ""
    return ResolvedProgram(
        script=header + "\n".join(script),
        vars=(*sorted(resolved, key=lambda v: v.name), *unresolved),
    )
