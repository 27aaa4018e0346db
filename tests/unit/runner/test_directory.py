from __future__ import annotations

from waypost.runner.directory import resolve_directory


def test_steps_apply_in_order_relative_joining_absolute_replacing(tmp_path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    other = tmp_path / "other"
    other.mkdir()
    assert resolve_directory(tmp_path, ["docs", "sub"]) == tmp_path / "docs" / "sub"
    assert resolve_directory(tmp_path, ["docs", str(other)]) == other
    assert resolve_directory(tmp_path, [str(other), ".."]) == tmp_path


def test_missing_directories_and_empty_steps_are_skipped(tmp_path):
    (tmp_path / "docs").mkdir()
    assert resolve_directory(tmp_path, ["docs", "missing", "", None]) == tmp_path / "docs"
