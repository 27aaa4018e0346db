"""Find a project's root and its runbooks, honouring ``.gitignore`` files as git does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pathspec

__all__ = ["DEFAULT_IGNORES", "RUNBOOK_SUFFIXES", "find_git_root", "is_runbook", "walk_runbooks"]

RUNBOOK_SUFFIXES = frozenset({".md", ".mdx", ".mdi", ".mdr", ".run", ".runme", ".dag"})
DEFAULT_IGNORES = ("node_modules", ".venv")


def is_runbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in RUNBOOK_SUFFIXES


def find_git_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding ``.git`` (a directory or a file)."""
    current = start.resolve()
    for candidate in (current, *current.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


class _Ignores:
    """The stack of gitignore rules in force while walking down a tree."""

    def __init__(self, root: Path, patterns: tuple[str, ...], use_gitignore: bool) -> None:
        self.root = root
        self.use_gitignore = use_gitignore
        base = [".git", *patterns]
        if use_gitignore:
            base.extend(_read_lines(root / ".git" / "info" / "exclude"))
            base.extend(_read_lines(_global_excludes()))
        self.levels: list[tuple[str, pathspec.PathSpec]] = [
            ("", pathspec.GitIgnoreSpec.from_lines(base))
        ]

    def enter(self, rel_dir: str, directory: Path) -> bool:
        """Read ``directory/.gitignore``; returns whether a level was pushed."""
        if not self.use_gitignore:
            return False
        lines = _read_lines(directory / ".gitignore")
        if not lines:
            return False
        self.levels.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
        return True

    def leave(self) -> None:
        self.levels.pop()

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        result = False
        for base, spec in self.levels:
            sub = rel_path[len(base) + 1 :] if base else rel_path
            candidate = sub + "/" if is_dir else sub
            outcome = spec.check_file(candidate)
            if outcome.include is not None:
                result = outcome.include
        return result


def _read_lines(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _global_excludes() -> Path | None:
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "git" / "ignore"
    return config if config.exists() else None


def walk_runbooks(
    root: Path,
    *,
    use_gitignore: bool = True,
    ignore_patterns: tuple[str, ...] = DEFAULT_IGNORES,
) -> Iterator[Path]:
    """Runbooks under ``root`` in a stable order (directory entries sorted by name).

    Ignored directories are not entered; unreadable ones are skipped.
    """
    ignores = _Ignores(root, ignore_patterns, use_gitignore)
    yield from _walk(root, "", ignores)


def _walk(directory: Path, rel_dir: str, ignores: _Ignores) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    pushed = ignores.enter(rel_dir, directory)
    try:
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if ignores.ignored(rel, is_dir):
                continue
            if is_dir:
                if not entry.is_symlink():
                    yield from _walk(Path(entry.path), rel, ignores)
            elif is_runbook(entry.name):
                yield Path(entry.path)
    finally:
        if pushed:
            ignores.leave()
