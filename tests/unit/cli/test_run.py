from __future__ import annotations

import pytest

from waypost.cli.options import ProjectOptions
from waypost.cli.run import env_files_order, select_tasks
from waypost.errors import UsageError


def test_env_order_lists_highest_priority_first():
    assert env_files_order(".env.local,.env") == [".env", ".env.local"]
    assert env_files_order(" .env , ") == [".env"]


def test_names_and_all_do_not_mix():
    with pytest.raises(UsageError):
        select_tasks(ProjectOptions(), ["a"], all_=True, tags=[], index=-1)


def test_something_must_be_named():
    with pytest.raises(UsageError):
        select_tasks(ProjectOptions(), [], all_=False, tags=[], index=-1)


def test_index_needs_file_mode():
    with pytest.raises(UsageError, match="--index"):
        select_tasks(ProjectOptions(), [], all_=False, tags=[], index=0)
