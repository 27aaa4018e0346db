"""Projects: where runbooks live, which files count, the tasks in them, and their ``.env`` files.

Touches the disk (reading only); parses with ``waypost.notebook``. Must never import the runner,
the AI, the server or the CLI.
"""

from waypost.project.discovery import RUNBOOK_SUFFIXES, find_git_root, is_runbook, walk_runbooks
from waypost.project.documents import Document, open_document, save_document
from waypost.project.envfiles import DEFAULT_ENV_ORDER, load_env_files
from waypost.project.project import (
    Project,
    Task,
    filter_tasks,
    find_tasks,
    open_project,
    read_notebook,
    sort_by_proximity,
)
from waypost.project.saving import content_hash, rename_atomically, save_atomically

__all__ = [
    "DEFAULT_ENV_ORDER",
    "RUNBOOK_SUFFIXES",
    "Document",
    "Project",
    "Task",
    "content_hash",
    "filter_tasks",
    "find_git_root",
    "find_tasks",
    "is_runbook",
    "load_env_files",
    "open_document",
    "open_project",
    "read_notebook",
    "rename_atomically",
    "save_atomically",
    "save_document",
    "sort_by_proximity",
    "walk_runbooks",
]
