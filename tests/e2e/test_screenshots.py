"""Screenshots of the main views for the README, made from a real session. Only when asked:
``WAYPOST_SCREENSHOTS=1 pytest tests/e2e/test_screenshots.py`` writes ``docs/screenshots/*.png``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Notebook
from tests.standins import llm

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.skipif(
    not os.environ.get("WAYPOST_SCREENSHOTS"), reason="set WAYPOST_SCREENSHOTS=1 to refresh them"
)


def test_screenshots_of_the_main_views(notebook: Notebook) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    notebook.fresh("tour.md", fixture="tour.md")
    page = notebook.open("tour.md").page
    page.emulate_media(color_scheme="light")
    expiry = notebook.code_cell("expiry")
    notebook.run(expiry)
    expect(notebook.status(expiry)).to_contain_text("exit 0")
    page.mouse.move(0, 0)
    page.screenshot(path=SHOTS / "notebook.png")

    confirm = notebook.code_cell("confirm")
    notebook.run(confirm)
    terminal = confirm.locator(".output-terminal")
    expect(terminal).to_contain_text("Rotate now?")
    terminal.click()
    page.keyboard.type("y")
    page.keyboard.press("Enter")
    expect(terminal).to_contain_text("You said: y")
    confirm.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    page.screenshot(path=SHOTS / "terminal.png")

    status = notebook.code_cell("status")
    notebook.run(status)
    expect(status.locator(".json-tree")).to_be_visible()
    status.evaluate("el => el.scrollIntoView({block: 'center'})")
    page.mouse.move(0, 0)
    page.screenshot(path=SHOTS / "json-output.png")

    notebook.stand_in.script(
        llm.Reply(
            text="```sh\nkubectl -n staging create secret tls api-tls \\\n  --cert=api.crt --key=api.key\n```"
        )
    )
    notebook.cell("Next: rotate the certificate.").focus()
    page.keyboard.press("Control+Enter")
    ghost = page.locator("section.cell.ghost")
    expect(ghost).to_be_visible()
    ghost.evaluate("el => el.scrollIntoView({block: 'center'})")
    page.screenshot(path=SHOTS / "suggestion.png")
    page.keyboard.press("Escape")

    page.set_viewport_size({"width": 400, "height": 800})
    page.evaluate("window.scrollTo(0, 0); document.querySelector('main').scrollTo(0, 0)")
    page.screenshot(path=SHOTS / "narrow.png")
    page.set_viewport_size({"width": 1280, "height": 800})
