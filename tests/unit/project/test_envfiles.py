from __future__ import annotations

from pathlib import Path

from waypost.project import load_env_files


def test_later_env_files_win_and_missing_ones_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("A=1\nB=from-env\n# comment\nexport C='quoted value'\n")
    (tmp_path / ".env.local").write_text("B=from-local\n")
    assert load_env_files(tmp_path, [".env", ".env.local", ".env.missing"]) == {
        "A": "1",
        "B": "from-local",
        "C": "quoted value",
    }
