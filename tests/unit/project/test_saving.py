from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from waypost.errors import ConflictError, ProjectError
from waypost.project import content_hash, rename_atomically, save_atomically


def test_save_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"old")
    path.chmod(0o640)
    save_atomically(path, b"new", expected_hash=content_hash(b"old"))
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"theirs")
    with pytest.raises(ConflictError, match="changed on disk"):
        save_atomically(path, b"mine", expected_hash=content_hash(b"what I read"))
    assert path.read_bytes() == b"theirs"


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"old")

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_rename_moves_the_file_and_its_bytes(tmp_path: Path) -> None:
    source = tmp_path / "a.md"
    source.write_bytes(b"# A\n")
    source.chmod(0o640)
    rename_atomically(source, tmp_path / "docs" / "b.md")
    assert not source.exists()
    assert (tmp_path / "docs" / "b.md").read_bytes() == b"# A\n"
    assert (tmp_path / "docs" / "b.md").stat().st_mode & 0o777 == 0o640


def test_rename_never_replaces_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"mine")
    (tmp_path / "b.md").write_bytes(b"theirs")
    with pytest.raises(ConflictError, match="exists already"):
        rename_atomically(tmp_path / "a.md", tmp_path / "b.md", where_to="b.md")
    assert (tmp_path / "a.md").read_bytes() == b"mine"
    assert (tmp_path / "b.md").read_bytes() == b"theirs"


def test_rename_without_hard_links_still_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "a.md").write_bytes(b"mine")
    rename_atomically(tmp_path / "a.md", tmp_path / "c.md")
    assert (tmp_path / "c.md").read_bytes() == b"mine"
    (tmp_path / "b.md").write_bytes(b"theirs")
    with pytest.raises(ConflictError):
        rename_atomically(tmp_path / "c.md", tmp_path / "b.md")
    assert (tmp_path / "b.md").read_bytes() == b"theirs"


def test_renaming_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        rename_atomically(tmp_path / "gone.md", tmp_path / "b.md")
