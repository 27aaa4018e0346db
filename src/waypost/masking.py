"""Secrets: which variables hold them, and hiding their values from people and from LLMs.

One rule everywhere: ``waypost env`` masks by it, and nothing the AI sends out of the process
(context, examples) carries a value of a variable it calls secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["MASK", "Redactor", "is_secret_name", "mask_env", "mask_value", "redact"]

MASK = "****"

_SECRET_WORDS = (
    "KEY", "KEYS", "TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASS",
    "PASSPHRASE", "CREDENTIAL", "CREDENTIALS", "CREDS", "PRIVATE", "AUTH", "AUTHORIZATION",
    "COOKIE", "SIGNATURE", "SALT", "DSN", "PAT", "JWT", "BEARER",
)  # fmt: skip
# A name is secret when one of its words (split on _ . - and camelCase) is, or ends with, a secret
# word: API_KEY, GITHUB_TOKEN, dbPassword, AWS_SECRET_ACCESS_KEY, PRIVATEKEY, npm_config__auth.
_SECRET = re.compile(r"(?:^|[_.\-])[A-Z0-9]*(?:" + "|".join(_SECRET_WORDS) + r")(?:$|[_.\-])")
_NOT_SECRET = frozenset(
    {"PWD", "OLDPWD", "KEYMAP", "XAUTHORITY", "SSH_AUTH_SOCK", "GPG_TTY", "XDG_SESSION_ID",
     "XDG_SESSION_TYPE"}
)  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

_TOKEN_PATTERNS = re.compile(
    r"""
      (?P<url>(?<=://)[^\s:/@]+:[^\s/@]+(?=@))             # user:password@ in a URL
    | \b(?:sk|pk|rk)-[A-Za-z0-9_\-]{16,}                   # API keys of LLM and payment providers
    | \bgh[pousr]_[A-Za-z0-9]{20,}                         # GitHub tokens
    | \bgithub_pat_[A-Za-z0-9_]{20,}
    | \bxox[abprs]-[A-Za-z0-9\-]{10,}                      # Slack tokens
    | \b(?:AKIA|ASIA)[A-Z0-9]{16}\b                        # AWS access key ids
    | \beyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{5,}  # JWTs
    | -----BEGIN[A-Z ]*PRIVATE\ KEY-----[\s\S]*?-----END[A-Z ]*PRIVATE\ KEY-----
    """,
    re.VERBOSE,
)


def is_secret_name(name: str) -> bool:
    """``API_KEY``, ``GITHUB_TOKEN``, ``dbPassword``, ``AWS_SECRET_ACCESS_KEY``: yes. ``PATH``: no."""
    if name.upper() in _NOT_SECRET:
        return False
    return bool(_SECRET.search(_CAMEL.sub("_", name).upper()))


def mask_value(name: str, value: str) -> str:
    """The value to show for ``name``: unchanged, or ``MASK`` for a secret that is set."""
    return MASK if value and is_secret_name(name) else value


def mask_env(env: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``env`` with secret values masked."""
    return {name: mask_value(name, value) for name, value in env.items()}


class Redactor:
    """Masks secrets in many texts with one scan of the environment."""

    def __init__(self, env: Mapping[str, str] | None = None, extra: Iterable[str] = ()) -> None:
        values = {v for k, v in (env or {}).items() if len(v) >= 4 and is_secret_name(k)}
        values.update(v for v in extra if len(v) >= 4)
        self.values = sorted(
            values, key=len, reverse=True
        )  # longest first: one may contain another

    def __call__(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, MASK)
        return _TOKEN_PATTERNS.sub(MASK, text)


def redact(text: str, env: Mapping[str, str] | None = None, extra: Iterable[str] = ()) -> str:
    """``text`` with secret values replaced by ``****``: values of secret-looking variables in
    ``env``, any ``extra`` values, and strings that look like credentials wherever they appear."""
    return Redactor(env, extra)(text)
