"""Which variables hold secrets, and how to show them: one rule for ``waypost env``, logs and the AI."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["MASK", "looks_secret", "mask_env", "mask_value"]

MASK = "********"

# A name is secret when one of its words (split on _ . -) is, or ends with, a secret word:
# API_KEY, GITHUB_TOKEN, DB_PASSWORD, AWS_SECRET_ACCESS_KEY, PRIVATEKEY, npm_config__auth.
_SECRET_WORDS = (
    "KEY",
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
    "PRIVATE",
    "COOKIE",
    "SIGNATURE",
    "DSN",
)
_SECRET = re.compile(r"(?:^|[_.\-])[A-Z0-9]*(?:" + "|".join(_SECRET_WORDS) + r")(?:$|[_.\-])")
_NOT_SECRET = frozenset({"PWD", "OLDPWD", "SSH_AUTH_SOCK", "XDG_SESSION_ID", "XDG_SESSION_TYPE"})


def looks_secret(name: str) -> bool:
    """Whether a variable's name says it holds a secret (case does not matter)."""
    upper = name.upper()
    return upper not in _NOT_SECRET and bool(_SECRET.search(upper))


def mask_value(name: str, value: str) -> str:
    """The value to show for ``name``: unchanged, or ``MASK`` for a secret that is set."""
    return MASK if value and looks_secret(name) else value


def mask_env(env: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``env`` with secret values masked."""
    return {name: mask_value(name, value) for name, value in env.items()}
