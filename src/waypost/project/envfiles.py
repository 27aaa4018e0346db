"""A project's ``.env`` files: read in a given order, later files winning."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from dotenv import dotenv_values

__all__ = ["DEFAULT_ENV_ORDER", "load_env_files"]

DEFAULT_ENV_ORDER = (".env", ".env.local")
"""Read ``.env`` first and let ``.env.local`` override it."""


def load_env_files(root: Path, order: Iterable[str] = DEFAULT_ENV_ORDER) -> dict[str, str]:
    """Variables from the files named in ``order`` (relative to ``root``); missing files are skipped."""
    env: dict[str, str] = {}
    for name in order:
        path = root / name
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError):
            continue
        values = dotenv_values(stream=io.StringIO(text), interpolate=True)
        env.update({k: v for k, v in values.items() if v is not None})
    return env
