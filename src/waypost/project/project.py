"""A project: a directory of runbooks (or a single file) and the tasks (code cells) in them."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from waypost.errors import FormatError, ProjectError, TaskError
from waypost.notebook import Cell, Notebook, parse
from waypost.project.discovery import DEFAULT_IGNORES, find_git_root, walk_runbooks

__all__ = ["Project", "Task", "open_project", "read_notebook"]

SHELL_LANGUAGES = frozenset({"bash", "bat", "sh", "sh-raw", "shell", "zsh", "go", ""})


@dataclass(frozen=True, slots=True)
class Task:
    """A code cell in the context of its project: what ``list`` shows and ``run`` runs."""

    path: Path
    """Absolute path of the runbook."""
    relpath: str
    """Path relative to the project root, with ``/`` separators."""
    notebook: Notebook
    index: int
    """Position of the cell in ``notebook.cells``."""

    @property
    def cell(self) -> Cell:
        return self.notebook.cells[self.index]

    @property
    def name(self) -> str:
        return self.cell.name

    @property
    def id(self) -> str:
        """Runme's task id: ``<relative path>:<name>``."""
        return f"{self.relpath}:{self.name}"

    @property
    def unnamed(self) -> bool:
        return self.cell.name_generated

    @property
    def unknown(self) -> bool:
        return self.cell.language not in SHELL_LANGUAGES

    @property
    def run_all(self) -> bool:
        return not self.cell.flag("excludeFromRunAll")

    @property
    def tags(self) -> list[str]:
        tags = []
        for key in ("category", "tag"):
            tags.extend(t.strip() for t in self.cell.attribute(key).split(",") if t.strip())
        if self.notebook.frontmatter:
            tags.extend(self.notebook.frontmatter.tags)
        return tags


def read_notebook(path: Path, *, where: str | None = None) -> Notebook:
    """Read and parse a runbook file, with errors that name it."""
    label = where or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProjectError("file does not exist", where=label) from None
    except IsADirectoryError:
        raise ProjectError("is a directory, not a runbook", where=label) from None
    except OSError as exc:
        raise ProjectError(exc.strerror or str(exc), where=label) from exc
    return parse(data, where=label)


@dataclass(slots=True)
class Project:
    """Either a directory tree of runbooks or one file (Runme's file mode)."""

    root: Path
    """The project root (absolute): git worktree root, ``--project`` dir, or the file's folder."""
    file: Path | None = None
    """In file mode, the one runbook."""
    use_gitignore: bool = True
    ignore_patterns: tuple[str, ...] = DEFAULT_IGNORES
    warnings: list[str] = field(default_factory=list)
    """Files skipped while loading (unreadable, not UTF-8...), one line each."""

    def files(self) -> Iterator[Path]:
        if self.file is not None:
            yield self.file
            return
        yield from walk_runbooks(
            self.root, use_gitignore=self.use_gitignore, ignore_patterns=self.ignore_patterns
        )

    def relpath(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def notebooks(self) -> Iterator[tuple[Path, Notebook]]:
        """Parsed runbooks; a file that cannot be read is skipped with a warning (file mode: raised)."""
        for path in self.files():
            try:
                notebook = read_notebook(path, where=self.relpath(path))
            except (ProjectError, FormatError) as exc:
                if self.file is not None:
                    raise
                self.warnings.append(str(exc))
                continue
            yield path, notebook

    def tasks(self, cwd: Path | None = None) -> list[Task]:
        """Every code cell of every runbook that is not a session-output file, nearest first."""
        tasks = []
        for path, notebook in self.notebooks():
            if notebook.frontmatter is not None and notebook.frontmatter.session_id:
                continue  # Runme session outputs are records, not runbooks
            rel = self.relpath(path)
            tasks.extend(
                Task(path, rel, notebook, i) for i, c in enumerate(notebook.cells) if c.is_code
            )
        return sort_by_proximity(tasks, cwd or Path.cwd())


def sort_by_proximity(tasks: list[Task], cwd: Path) -> list[Task]:
    """Runme's order: files fewer directory levels away from ``cwd`` first, otherwise as found."""

    def levels(task: Task) -> int:
        return len(Path(os.path.relpath(task.path, cwd)).parts)

    return sorted(tasks, key=levels)


def open_project(
    *,
    project: str | None = None,
    chdir: str | None = None,
    filename: str | None = None,
    cwd: Path | None = None,
    use_gitignore: bool = True,
    ignore_patterns: tuple[str, ...] = DEFAULT_IGNORES,
) -> Project:
    """Runme's rules: ``--chdir``/``--filename`` select file mode; otherwise a directory project,
    rooted at ``--project`` or else at the git worktree above the current directory."""
    cwd = (cwd or Path.cwd()).resolve()
    if chdir is not None or filename is not None:
        base = (cwd / chdir).resolve() if chdir else cwd
        target = Path(filename or "README.md")
        path = target if target.is_absolute() else base / target
        if not path.is_file():
            raise ProjectError(f'failed to open file-based project "{path}": file does not exist')
        return Project(root=path.parent, file=path)
    if project:
        root = (cwd / project).resolve()
        if not root.is_dir():
            raise ProjectError(f'project directory "{root}" does not exist')
        return Project(root=root, use_gitignore=use_gitignore, ignore_patterns=ignore_patterns)
    root = find_git_root(cwd) or cwd
    return Project(root=root, use_gitignore=use_gitignore, ignore_patterns=ignore_patterns)


def filter_tasks(tasks: list[Task], pattern: str) -> list[Task]:
    """Tasks whose id (``file:name``) matches a regular expression."""
    if not pattern:
        return tasks
    try:
        matcher = re.compile(pattern)
    except re.error as exc:
        raise TaskError(f"invalid regular expression {pattern!r}: {exc}") from None
    return [t for t in tasks if matcher.search(t.id)]


def find_tasks(tasks: list[Task], query: str) -> list[Task]:
    """Tasks named ``query``, or ``<file regex>/<name>`` to pick among files."""
    exact = [t for t in tasks if t.name == query]
    if exact or "/" not in query:
        return exact
    file_pattern, _, name = query.rpartition("/")
    try:
        matcher = re.compile(file_pattern)
    except re.error:
        return []
    return [t for t in tasks if t.name == name and matcher.search(t.relpath)]
