"""Opening a runbook for editing and saving a client's edits back, safely and byte-exactly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from waypost.errors import ConflictError
from waypost.notebook import Notebook, parse, serialize
from waypost.notebook.frontmatter import parse_frontmatter
from waypost.notebook.merge import IncomingCell, rebase
from waypost.project.project import read_notebook
from waypost.project.saving import content_hash, save_atomically

__all__ = ["Document", "open_document", "save_document"]


@dataclass(frozen=True, slots=True)
class Document:
    path: Path
    notebook: Notebook
    hash: str
    """sha256 of the bytes read: a save must name it to prove it saw the latest version."""


def open_document(path: Path, *, where: str | None = None) -> Document:
    """Read a runbook; a missing file opens as an empty notebook (saving creates it)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Document(path, parse(b""), "")
    return Document(path, read_notebook(path, where=where), content_hash(data))


def save_document(
    path: Path,
    cells: Sequence[IncomingCell],
    *,
    expected_hash: str | None,
    frontmatter: str | None = None,
    force: bool = False,
    where: str | None = None,
) -> Document:
    """Write ``cells`` to ``path``, touching only the bytes they changed.

    ``expected_hash`` is the hash the client opened (``""`` for a new file). If the file changed
    since, nothing is written and ``ConflictError`` says so, unless ``force``.
    """
    current = open_document(path, where=where)
    if not force and expected_hash is not None and current.hash != expected_hash:
        raise ConflictError(
            "the file changed on disk since it was opened; reload it, or save with force to "
            "overwrite",
            where=where or str(path),
        )
    notebook = rebase(current.notebook, cells)
    if frontmatter is not None and (
        notebook.frontmatter is None or notebook.frontmatter.raw != frontmatter
    ):
        fmt = (
            "toml"
            if frontmatter.startswith("+++")
            else "json"
            if frontmatter.startswith("{")
            else "yaml"
        )
        notebook = replace(
            notebook, frontmatter=parse_frontmatter(frontmatter, fmt) if frontmatter else None
        )
    data = serialize(notebook)
    if not current.hash:
        path.parent.mkdir(parents=True, exist_ok=True)
    # "" as the expected hash means the file must still not exist
    new_hash = save_atomically(
        path, data, expected_hash=None if force else current.hash, where=where
    )
    return Document(path, parse(data), new_hash)
