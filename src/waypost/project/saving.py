"""Writing a runbook back: atomically, keeping its permissions, never over someone else's change."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from waypost.errors import ConflictError, ProjectError

__all__ = ["content_hash", "save_atomically"]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save_atomically(
    path: Path, data: bytes, *, expected_hash: str | None = None, where: str | None = None
) -> str:
    """Replace ``path`` with ``data`` in one step (temp file + rename); returns the new hash.

    With ``expected_hash``, refuse with ``ConflictError`` when the file on disk no longer has that
    content (someone changed it since it was read). A missing file counts as changed.
    """
    if expected_hash is not None:
        try:
            current = content_hash(path.read_bytes())
        except FileNotFoundError:
            current = ""
        if current != expected_hash:
            raise ConflictError(
                "file changed on disk since it was read; reload it or save with force",
                where=where or str(path),
            )
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    directory = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ProjectError(f"cannot write: {exc.strerror}", where=where or str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return content_hash(data)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: os.umask is process-wide and not thread-safe
