"""Where a cell runs: Runme's rule for combining the document's folder with ``cwd`` settings."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["resolve_directory"]


def resolve_directory(base: Path, steps: Iterable[str | Path | None]) -> Path:
    """Start at ``base`` and apply each step that leads to an existing directory.

    Steps are, in Runme's order, the document's folder, the frontmatter ``cwd`` and the cell's
    ``cwd``: a relative step joins the current directory, an absolute one replaces it, and a step
    to a directory that does not exist is skipped. So ``cwd: /tmp/dummy`` in the frontmatter and
    ``cwd: ..`` on the cell give ``/tmp``.
    """
    current = base
    for step in steps:
        if not step:
            continue
        candidate = Path(step).expanduser()
        candidate = candidate if candidate.is_absolute() else current / candidate
        if candidate.is_dir():
            # ``..`` is taken lexically, as Go's filepath.Join does, not through symlinks
            current = Path(os.path.normpath(candidate))
    return current
