"""Writing a runbook back, or moving it: atomically, keeping its permissions, never over someone
else's change or someone else's file."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

from waypost.errors import ConflictError, ProjectError

__all__ = ["content_hash", "rename_atomically", "save_atomically"]


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


def rename_atomically(
    source: Path, target: Path, *, where: str | None = None, where_to: str | None = None
) -> None:
    """Move ``source`` to ``target`` in one step; refuse with ``ConflictError`` if ``target`` exists.

    A hard link claims the new name (it fails if the name is taken, with no window for a race),
    then the old name goes. Where hard links are not allowed, an exclusively created placeholder
    claims the name and the rename replaces it.
    """
    try:
        if not source.is_file():
            raise ProjectError("does not exist", where=where or str(source))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
                raise
            with open(target, "xb"):
                pass
            os.replace(source, target)
            return
        source.unlink()
    except FileExistsError as exc:
        raise ConflictError(
            "a file with that name exists already", where=where_to or str(target)
        ) from exc
    except OSError as exc:
        raise ProjectError(f"cannot rename: {exc.strerror}", where=where_to or str(target)) from exc


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: os.umask is process-wide and not thread-safe
