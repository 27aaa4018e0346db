"""Ghost cells: the AI's suggestion appears after a pause or on Ctrl+Enter; Tab or a click takes
it, Esc or moving on leaves it; each outcome is logged for learning."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.e2e.conftest import SUGGESTION, Notebook, events


def write_in_first_text_cell(notebook: Notebook, text: str) -> None:
    page = notebook.page
    notebook.cell("Before you start").dblclick()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_suggestion_appears_after_a_pause_and_tab_accepts_it(notebook: Notebook) -> None:
    path = notebook.fresh("accept.md")
    page = notebook.open("accept.md").page
    write_in_first_text_cell(notebook, " Then print a greeting.")
    ghost = page.locator("section.cell.ghost")
    expect(ghost).to_contain_text(SUGGESTION)
    expect(page.locator(".ai-status")).to_contain_text(re.compile(r"openai-compatible.* ms"))
    page.keyboard.press("Tab")
    expect(ghost).to_have_count(0)
    accepted = notebook.cell(SUGGESTION)
    expect(accepted).to_be_focused()
    cell_id = accepted.get_attribute("data-cell-id")
    generated = [e for e in events(notebook.server) if e["type"] == "generate"][-1]
    assert [c["id"] for c in generated["cells"]] == [cell_id]
    logged = [e for e in events(notebook.server) if e["type"] == "accepted"]
    assert logged and logged[-1]["cell_id"] == cell_id
    assert logged[-1]["trace_id"] == generated["trace_id"]
    # saved, the accepted cell keeps its id in its fence
    page.keyboard.press("Control+s")
    page.get_by_text("Saved accept.md").wait_for()
    assert f'```sh {{"id":"{cell_id}"}}\n{SUGGESTION}\n```' in path.read_text()
    assert "_ghostCell" not in path.read_text()


def test_escape_rejects_the_suggestion(notebook: Notebook) -> None:
    notebook.fresh("reject.md")
    page = notebook.open("reject.md").page
    write_in_first_text_cell(notebook, " Anything next?")
    ghost = page.locator("section.cell.ghost")
    expect(ghost).to_have_count(1)
    cell_id = ghost.get_attribute("data-cell-id")
    page.keyboard.press("Escape")
    expect(ghost).to_have_count(0)
    expect(page.locator("section.cell", has_text=SUGGESTION)).to_have_count(0)
    rejected = [e for e in events(notebook.server) if e["type"] == "rejected"]
    assert rejected and rejected[-1]["cell_id"] == cell_id


def test_ctrl_enter_on_a_text_cell_asks_at_once_and_a_click_accepts(notebook: Notebook) -> None:
    notebook.fresh("hotkey.md")
    page = notebook.open("hotkey.md").page
    page.get_by_text("Suggest as I type").click()  # automatic suggestions off
    last = notebook.cell("Done.")
    last.focus()
    page.keyboard.press("Control+Enter")
    ghost = page.locator("section.cell.ghost")
    expect(ghost).to_contain_text(SUGGESTION)
    ghost.click()
    expect(ghost).to_have_count(0)
    expect(notebook.cell(SUGGESTION)).to_be_visible()
    page.get_by_text("Suggest as I type").click()  # back on, for the other tests


def test_the_prompt_carries_the_notebook(notebook: Notebook) -> None:
    notebook.fresh("prompt.md")
    page = notebook.open("prompt.md").page
    before = len(notebook.server_requests())
    write_in_first_text_cell(notebook, " Please check the pods.")
    expect(page.locator("section.cell.ghost")).to_have_count(1)
    sent = json.dumps(notebook.server_requests()[before:])
    assert "Please check the pods." in sent
