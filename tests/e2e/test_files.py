"""Opening, editing, saving, creating and renaming runbooks in the browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Notebook

ID = re.compile(r',?"id":"[0-9A-HJKMNP-TV-Z]{26}"')


def test_opening_a_runbook_shows_rendered_text_and_code_cells(notebook: Notebook) -> None:
    page = notebook.open("notebook.md").page
    expect(page.get_by_role("heading", name="Deploy notes")).to_be_visible()
    expect(page.get_by_role("cell", name="staging", exact=True)).to_be_visible()
    checkboxes = page.locator(".markdown-body input.task-list-item-checkbox")
    assert checkboxes.count() == 2 and checkboxes.first.is_checked()
    expect(page.locator(".markdown-body code", has_text="https://staging.example")).to_be_visible()
    assert notebook.code_cell("greet").locator(".cm-content").inner_text() == (
        'echo "hello from greet"'
    )
    # named cells are listed under their runbook in the sidebar
    expect(page.locator("nav.sidebar button.cell-link", has_text="greet").first).to_be_visible()


def test_saved_file_differs_only_in_the_edited_cell_and_new_ids(notebook: Notebook) -> None:
    path = notebook.fresh("edit.md")
    original = path.read_text()
    notebook.open("edit.md")
    notebook.replace_code(notebook.code_cell("greet"), 'echo "edited in the browser"')
    page = notebook.page
    expect(page.locator(".topbar .dirty")).to_be_visible()
    page.keyboard.press("Control+s")
    page.get_by_text("Saved edit.md").wait_for()
    expect(page.locator(".topbar .dirty")).to_be_hidden()
    saved = path.read_text()
    assert ID.search(saved), "code cells carry their ids in their fences"
    assert ID.sub("", saved).replace("{}", "") == original.replace(
        'echo "hello from greet"', 'echo "edited in the browser"'
    )


def test_a_change_on_disk_is_never_overwritten_silently(notebook: Notebook) -> None:
    path = notebook.server.root / "conflict.md"
    path.write_text("# Mine and theirs\n\n```sh\necho one\n```\n")
    notebook.open("conflict.md")
    notebook.replace_code(notebook.page.locator("section.cell.code").first, "echo mine")
    path.write_text("# Changed by someone else\n")
    page = notebook.page
    page.keyboard.press("Control+s")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("The file changed on disk")).to_be_visible()
    dialog.get_by_role("button", name="Keep editing").click()
    assert path.read_text() == "# Changed by someone else\n"
    page.keyboard.press("Control+s")
    page.get_by_role("dialog").get_by_role("button", name="Reload theirs (drop my changes)").click()
    expect(page.get_by_role("heading", name="Changed by someone else")).to_be_visible()
    assert path.read_text() == "# Changed by someone else\n"


def test_overwrite_after_a_conflict_writes_mine(notebook: Notebook) -> None:
    path = notebook.server.root / "overwrite.md"
    path.write_text("# Title\n\n```sh\necho one\n```\n")
    notebook.open("overwrite.md")
    notebook.replace_code(notebook.page.locator("section.cell.code").first, "echo mine")
    path.write_text("# Theirs\n")
    page = notebook.page
    page.keyboard.press("Control+s")
    page.get_by_role("dialog").get_by_role("button", name="Overwrite with mine").click()
    page.get_by_text("Saved overwrite.md").wait_for()
    assert "echo mine" in path.read_text()


def test_a_new_runbook_is_created_then_renamed(notebook: Notebook) -> None:
    root = notebook.server.root
    page = notebook.open("notebook.md").page
    page.get_by_role("button", name="New runbook").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Path in the project").fill("notes/fresh.md")
    dialog.get_by_role("button", name="OK").click()
    page.get_by_role("heading", name="fresh").wait_for()
    notebook.replace_code(page.locator("section.cell.code").first, "echo fresh")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved notes/fresh.md").wait_for()
    assert (root / "notes" / "fresh.md").read_text().startswith("# fresh\n")
    page.locator(".file-row", has_text="notes/fresh.md").hover()
    page.get_by_role("button", name="Rename notes/fresh.md").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("New path in the project").fill("notes/renamed.md")
    dialog.get_by_role("button", name="OK").click()
    page.get_by_text("Renamed notes/fresh.md to notes/renamed.md").wait_for()
    assert not (root / "notes" / "fresh.md").exists()
    assert "echo fresh" in (root / "notes" / "renamed.md").read_text()
    assert page.locator(".topbar .doc-path").inner_text() == "notes/renamed.md"


def test_cells_are_added_moved_and_deleted_from_the_keyboard(notebook: Notebook) -> None:
    notebook.fresh("keys.md")
    page = notebook.open("keys.md").page
    names = page.locator("section.cell.code .cell-name")
    notebook.code_cell("greet").focus()
    page.keyboard.press("b")  # a new code cell below, in edit mode
    page.keyboard.type("echo added")
    page.keyboard.press("Escape")
    added = notebook.cell("echo added")
    expect(added).to_be_focused()
    assert names.all_inner_texts()[:2] == ["greet", ""]
    page.keyboard.press("Alt+ArrowUp")
    assert names.all_inner_texts()[:2] == ["", "greet"]
    expect(added).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(notebook.code_cell("greet")).to_be_focused()
    added.get_by_role("button", name="Delete cell").click()
    assert notebook.page.locator("section.cell", has_text="echo added").count() == 0
    page.get_by_role("button", name="Undo").click()
    expect(notebook.cell("echo added")).to_be_visible()


def test_the_page_makes_no_request_outside_the_server(notebook: Notebook) -> None:
    notebook.open("notebook.md")
    notebook.page.wait_for_load_state("networkidle")
    origin = notebook.server.url
    outside = [u for u in notebook.requests if not u.startswith((origin, "data:", "blob:"))]
    assert outside == []


def test_cell_attributes_are_edited_in_the_panel_and_saved_in_the_fence(
    notebook: Notebook,
) -> None:
    path = notebook.fresh("attributes.md")
    page = notebook.open("attributes.md").page
    greet = notebook.code_cell("greet")
    greet.get_by_role("button", name="Cell attributes").click()
    panel = page.locator("aside.panel")
    panel.get_by_label("Name").fill("say-hello")
    panel.get_by_label("Name").press("Enter")
    panel.get_by_label("Interactive (runs in a terminal)").uncheck()
    panel.get_by_label("Skip in Run all").check()
    panel.get_by_label("Working directory").fill("/tmp")
    panel.get_by_label("Working directory").press("Tab")
    expect(notebook.code_cell("say-hello")).to_contain_text("skip in run all")
    page.keyboard.press("Control+s")
    page.get_by_text("Saved attributes.md").wait_for()
    fence = next(line for line in path.read_text().splitlines() if "say-hello" in line)
    assert fence.startswith('```sh {"name":"say-hello",')
    for pair in ('"interactive":"false"', '"excludeFromRunAll":"true"', '"cwd":"/tmp"'):
        assert pair in fence
