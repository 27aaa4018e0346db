"""Environment rules: what a cell's changes do to its session, and sizes a process can start with.

Linux refuses to start a process when one ``NAME=value`` string exceeds 128 KiB or all of them
together exceed about 2 MiB ("argument list too long"). Runme v2's limits keep every session under
both: a variable may hold at most ``MAX_VALUE_BYTES`` and the whole environment ``MAX_ENVIRON_BYTES``.
The last output (``__``) is the only value that is trimmed, keeping its tail; anything else that
does not fit is left out of the session with a warning, because a cut value would be a wrong value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from waypost.errors import EnvironmentLimitError

__all__ = [
    "LAST_OUTPUT",
    "MAX_ENVIRON_BYTES",
    "MAX_VALUE_BYTES",
    "EnvChanges",
    "apply_changes",
    "diff_env",
    "entry_size",
    "environ_size",
    "fit_environ",
    "is_output_name",
    "output_value",
]

LAST_OUTPUT = "__"
"""The variable that holds the last cell's output (``$__``)."""

MAX_VALUE_BYTES = 128 * 1024 - 128
"""Largest ``NAME=value`` entry (Runme v2's ``MaxEnvSizeInBytes``; Linux allows 128 KiB)."""

MAX_ENVIRON_BYTES = 8 * MAX_VALUE_BYTES
"""Largest whole environment (Runme v2's ``MaxEnvironSizeInBytes``), well under ``ARG_MAX``."""

# Runme's rule for cells whose output is also stored under their name: upper case, at least three
# characters, with a letter after the first two (so ``__`` or ``A_1`` never shadow anything).
_OUTPUT_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{1}[A-Z0-9_]*[A-Z][A-Z0-9_]*$")


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class EnvChanges:
    """What a cell did to its environment."""

    set: Mapping[str, str] = field(default_factory=_empty)
    """Variables exported or changed, with their new values."""
    unset: frozenset[str] = frozenset()
    """Variables removed."""

    def __bool__(self) -> bool:
        return bool(self.set) or bool(self.unset)


def diff_env(
    before: Mapping[str, str], after: Mapping[str, str], *, ignore: Iterable[str] = ()
) -> EnvChanges:
    """The changes that turn ``before`` into ``after``, leaving out the names in ``ignore``."""
    skip = frozenset(ignore)
    changed = {k: v for k, v in after.items() if k not in skip and before.get(k) != v}
    removed = frozenset(k for k in before if k not in skip and k not in after)
    return EnvChanges(MappingProxyType(changed), removed)


def entry_size(name: str, value: str) -> int:
    """Bytes one variable takes in a process's environment block (with ``=`` and the NUL)."""
    return len(name.encode("utf-8", "surrogateescape")) + len(_bytes(value)) + 2


def environ_size(env: Mapping[str, str]) -> int:
    return sum(entry_size(k, v) for k, v in env.items())


def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def _tail(name: str, value: str, limit: int) -> str:
    room = max(limit - entry_size(name, ""), 0)
    data = _bytes(value)
    if len(data) <= room:
        return value
    # keep whole UTF-8 characters: a continuation byte at the cut is dropped with its head
    data = data[len(data) - room :]
    while data and 0x80 <= data[0] < 0xC0:
        data = data[1:]
    return data.decode("utf-8", "surrogateescape")


def apply_changes(
    env: Mapping[str, str], changes: EnvChanges, *, trimmable: Iterable[str] = (LAST_OUTPUT,)
) -> tuple[dict[str, str], list[str]]:
    """``env`` with ``changes`` applied, within the limits; also the warnings for what was left out.

    Names in ``trimmable`` (the last-output variables) keep their tail when too long; other
    oversized values are not stored and the variable keeps its previous value.
    """
    trim = frozenset(trimmable)
    result = {k: v for k, v in env.items() if k not in changes.unset}
    warnings: list[str] = []
    for name, value in changes.set.items():
        if entry_size(name, value) > MAX_VALUE_BYTES:
            if name not in trim:
                warnings.append(_too_long(name, value))
                continue
            value = _tail(name, value, MAX_VALUE_BYTES)
        result[name] = value
    total = environ_size(result)
    for name in sorted(changes.set, key=lambda n: -entry_size(n, changes.set[n])):
        if total <= MAX_ENVIRON_BYTES:
            break
        if name in trim or name not in result or result[name] != changes.set[name]:
            continue
        total -= entry_size(name, result[name])
        warnings.append(
            f"{name} was not stored: the session's variables would exceed "
            f"{MAX_ENVIRON_BYTES} bytes together"
        )
        if name in env:
            result[name] = env[name]
            total += entry_size(name, env[name])
        else:
            del result[name]
    return fit_environ(result, strict=False), warnings


def _too_long(name: str, value: str) -> str:
    return (
        f"{name} was not stored: its value has {len(_bytes(value))} bytes, "
        f"more than the {MAX_VALUE_BYTES} a variable may hold"
    )


def fit_environ(env: dict[str, str], *, strict: bool = True) -> dict[str, str]:
    """``env`` trimmed to start a process: ``__`` keeps only as much of its tail as fits.

    With ``strict``, an environment that still does not fit raises ``EnvironmentLimitError``
    naming the largest variables, instead of the operating system's "argument list too long".
    """
    total = environ_size(env)
    if total > MAX_ENVIRON_BYTES and LAST_OUTPUT in env:
        others = total - entry_size(LAST_OUTPUT, env[LAST_OUTPUT])
        env = dict(env)
        env[LAST_OUTPUT] = _tail(LAST_OUTPUT, env[LAST_OUTPUT], max(MAX_ENVIRON_BYTES - others, 0))
        total = environ_size(env)
    if not strict:
        return env
    too_long = [k for k, v in env.items() if entry_size(k, v) > MAX_VALUE_BYTES]
    if too_long:
        raise EnvironmentLimitError(
            f"variable {too_long[0]} is larger than {MAX_VALUE_BYTES} bytes; unset it first"
        )
    if total > MAX_ENVIRON_BYTES:
        largest = sorted(env, key=lambda k: -entry_size(k, env[k]))[:3]
        raise EnvironmentLimitError(
            f"the environment has {total} bytes, more than {MAX_ENVIRON_BYTES}; "
            f"largest variables: {', '.join(largest)}"
        )
    return env


def is_output_name(name: str) -> bool:
    """Whether a cell named ``name`` also stores its output under that name (``MY_OUTPUT``)."""
    return bool(_OUTPUT_NAME.match(name))


def output_value(stdout_tail: bytes) -> str:
    """The text stored as ``$__``: the output's tail without NUL bytes (which no variable holds)."""
    data = stdout_tail.replace(b"\0", b"")
    return _tail(LAST_OUTPUT, data.decode("utf-8", "surrogateescape"), MAX_VALUE_BYTES)
