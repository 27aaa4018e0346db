"""Paths a client names are confined to the project root: no ``..``, no symlink out of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from waypost.errors import ProjectError, UsageError

__all__ = ["Confinement"]


@dataclass(frozen=True, slots=True)
class Confinement:
    root: Path
    """The project root, resolved."""

    def resolve(self, name: str, *, must_exist: bool = False) -> Path:
        """The real path of ``name`` (relative to the root, or absolute inside it), or an error."""
        if "\0" in name:
            raise UsageError("path contains a NUL byte", where="path")
        candidate = Path(name)
        if not candidate.is_absolute():
            candidate = self.root / candidate
        real = candidate.resolve()
        if real != self.root and self.root not in real.parents:
            raise UsageError(f"{name!r} is outside the project", where="path")
        if must_exist and not real.exists():
            raise ProjectError("does not exist", where=self.relative(real))
        return real

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)
