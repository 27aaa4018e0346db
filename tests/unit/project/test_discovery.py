from __future__ import annotations

from pathlib import Path

from waypost.project import find_git_root, open_project, walk_runbooks


def write(root: Path, rel: str, text: str = "# T\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def rels(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in walk_runbooks(root)]


def test_runbooks_are_found_by_extension_in_name_order(tmp_path: Path) -> None:
    for rel in ["b.md", "a.mdx", "docs/c.runme", "docs/d.txt", "e.MD", "x.dag", "y.run", "z.mdr"]:
        write(tmp_path, rel)
    assert rels(tmp_path) == ["a.mdx", "b.md", "docs/c.runme", "e.MD", "x.dag", "y.run", "z.mdr"]


def test_gitignored_files_and_default_directories_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "build/\n*.draft.md\n!keep.draft.md\n")
    write(tmp_path, "sub/.gitignore", "local.md\n")
    for rel in ["a.md", "build/b.md", "x.draft.md", "keep.draft.md", "sub/local.md", "sub/ok.md",
                "node_modules/pkg/README.md", ".venv/lib/README.md", ".git/info.md"]:  # fmt: skip
        write(tmp_path, rel)
    assert rels(tmp_path) == ["a.md", "keep.draft.md", "sub/ok.md"]


def test_nested_gitignore_applies_only_below_its_directory(tmp_path: Path) -> None:
    write(tmp_path, "sub/.gitignore", "*.md\n")
    write(tmp_path, "top.md")
    write(tmp_path, "sub/hidden.md")
    assert rels(tmp_path) == ["top.md"]


def test_gitignore_can_be_disabled(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.md\n")
    write(tmp_path, "a.md")
    assert [p.name for p in walk_runbooks(tmp_path, use_gitignore=False)] == ["a.md"]


def test_project_root_is_the_git_worktree_above(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_git_root(deep) == tmp_path
    assert open_project(cwd=deep).root == tmp_path


def test_explicit_project_dir_is_not_searched_upward(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "sub"
    sub.mkdir()
    assert open_project(project="sub", cwd=tmp_path).root == sub


def test_session_output_files_contribute_no_tasks(tmp_path: Path) -> None:
    write(tmp_path, "run.md", "```sh\necho a\n```\n")
    write(tmp_path, "run-01HJS35FZ2K0JBWPVAXPMMVTGN.md",
          "---\nrunme:\n  session:\n    id: 01HJS35FZ2K0JBWPVAXPMMVTGN\n---\n\n```sh\necho a\n```\n")  # fmt: skip
    tasks = open_project(project=str(tmp_path)).tasks(cwd=tmp_path)
    assert [t.relpath for t in tasks] == ["run.md"]


def test_unreadable_runbooks_are_skipped_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "good.md", "```sh\necho\n```\n")
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe binary \x00")
    project = open_project(project=str(tmp_path))
    assert [t.relpath for t in project.tasks(cwd=tmp_path)] == ["good.md"]
    assert project.warnings == ["bad.md: binary data, not Markdown (NUL byte at offset 10)"]


def test_tasks_nearest_to_the_working_directory_come_first(tmp_path: Path) -> None:
    write(tmp_path, "a/deep/x.md", "```sh\necho deep\n```\n")
    write(tmp_path, "z.md", "```sh\necho top\n```\n")
    tasks = open_project(project=str(tmp_path)).tasks(cwd=tmp_path)
    assert [t.relpath for t in tasks] == ["z.md", "a/deep/x.md"]
