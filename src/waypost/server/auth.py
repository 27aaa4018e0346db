"""Who may talk to the server: a bearer token (or Runme's client certificate), from allowed origins.

The server runs commands for whoever reaches it, so every request is checked, in constant time, and
a refused request learns nothing about the server.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Guard", "new_token"]


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Guard:
    token: str
    """The shared secret every client presents."""
    origins: tuple[str, ...] = ()
    """Browser origins allowed besides the server's own (``http://host:port``)."""

    def token_ok(self, presented: str | None) -> bool:
        if not presented:
            return False
        return hmac.compare_digest(presented.encode("utf-8"), self.token.encode("utf-8"))

    def bearer_ok(self, header: str | None) -> bool:
        """An ``Authorization: Bearer <token>`` value."""
        if not header:
            return False
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(value.strip())

    def origin_ok(self, origin: str | None, own: Iterable[str] = ()) -> bool:
        """No ``Origin`` (not a browser) or an allowed one; ``null`` and unknown origins are refused."""
        if origin is None:
            return True
        normalized = _normalize(origin)
        allowed = {_normalize(o) for o in (*self.origins, *own)}
        return normalized is not None and normalized in allowed


def _normalize(origin: str) -> str | None:
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{parts.hostname.lower()}:{port}"
