"""The same notebook in Firefox (Debian's firefox-esr over WebDriver BiDi): it renders, edits,
saves and runs. Skipped when Firefox is not installed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.bidi import ENTER, Firefox
from tests.e2e.conftest import SUGGESTION, TOKEN, Server

FIREFOX = shutil.which(os.environ.get("WAYPOST_FIREFOX", "firefox-esr")) or shutil.which("firefox")

pytestmark = pytest.mark.skipif(FIREFOX is None, reason="firefox-esr is not installed")


@pytest.fixture(scope="module")
def firefox() -> Iterator[Firefox]:
    with Firefox(Path(FIREFOX or "")) as browser:
        yield browser


def test_firefox_renders_edits_and_saves_a_runbook(firefox: Firefox, server: Server) -> None:
    path = server.root / "firefox.md"
    path.write_text(
        '# In Firefox\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\necho "from firefox"\n```\n'
    )
    firefox.navigate(f"{server.url}/?token={TOKEN}#firefox.md")
    firefox.wait_for("document.querySelector('.cell-editor .cm-content')")
    assert firefox.evaluate("document.querySelector('.markdown-body h1').textContent") == (
        "In Firefox"
    )
    assert firefox.evaluate("document.querySelectorAll('.markdown-body td').length") == 2
    firefox.evaluate("document.querySelector('.cell-editor .cm-content').focus()")
    firefox.type("a", ctrl=True)
    firefox.type("echo edited in firefox")
    firefox.type("s", ctrl=True)
    firefox.wait_for(
        "document.querySelector('.statusbar .message').textContent.startsWith('Saved')"
    )
    assert "echo edited in firefox" in path.read_text()
    assert firefox.errors == []


def test_firefox_runs_a_cell_and_shows_its_output(firefox: Firefox, server: Server) -> None:
    (server.root / "firefox-run.md").write_text(
        '# Run\n\n```sh {"name":"json","interactive":"false"}\necho \'{"browser": "firefox"}\'\n```\n'
        '\n```sh {"name":"tty"}\necho "in a terminal"\n```\n'
    )
    firefox.navigate(f"{server.url}/?token={TOKEN}#firefox-run.md")
    firefox.wait_for("document.querySelectorAll('section.cell.code button.run').length === 2")
    firefox.evaluate("document.querySelectorAll('section.cell.code button.run')[0].click()")
    firefox.wait_for("document.querySelector('.json-tree')")
    assert "firefox" in firefox.evaluate("document.querySelector('.json-tree').textContent")
    firefox.evaluate("document.querySelectorAll('section.cell.code button.run')[1].click()")
    firefox.wait_for(
        "document.querySelectorAll('.output-terminal')[0]?.textContent.includes('in a terminal')"
    )
    assert firefox.errors == []


def test_firefox_shows_and_accepts_a_suggestion(firefox: Firefox, server: Server) -> None:
    (server.root / "firefox-ai.md").write_text("# Next step\n\nList the pods.\n")
    firefox.navigate(f"{server.url}/?token={TOKEN}#firefox-ai.md")
    firefox.wait_for("document.querySelectorAll('section.cell.markup').length === 2")
    firefox.evaluate("document.querySelectorAll('section.cell.markup')[1].focus()")
    firefox.type(ENTER, ctrl=True)
    firefox.wait_for("document.querySelector('section.cell.ghost')")
    firefox.type("\ue004")  # Tab
    firefox.wait_for("!document.querySelector('section.cell.ghost')")
    assert SUGGESTION in firefox.evaluate("document.querySelector('section.cell.code').textContent")
    assert firefox.errors == []
