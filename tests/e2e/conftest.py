"""The browser notebook in headless Chromium (Debian's ``chromium``, driven by Playwright) against a
real ``waypost serve`` whose AI is a local stand-in LLM.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium``. Without it the tests
are skipped, saying why (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.server.conftest import TOKEN, Server, start_server, stop_server
from tests.standins import llm

CHROMIUM = Path(os.environ.get("WAYPOST_CHROMIUM", "/usr/bin/chromium"))
WEB = Path(__file__).resolve().parents[2] / "src" / "waypost" / "web"
FIXTURES = Path(__file__).parent / "fixtures"
SUGGESTION = "echo suggested-by-the-ai"

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run "
        "the browser tests",
        allow_module_level=True,
    )
if not (WEB / "index.html").is_file():
    pytest.skip("the built UI is missing: run `make web`", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.sync_api")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def stand_in() -> Iterator[llm.StandIn]:
    running = llm.start()
    running.default = llm.Reply(text=f"```sh\n{SUGGESTION}\n```")
    yield running
    running.close()


@pytest.fixture(scope="package")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # package scope: the server and the browser are gone before other test packages run, whose
    # fixtures check that no process outlives its test
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    (root / "big.md").write_text(big_runbook(150), encoding="utf-8")
    return root


@pytest.fixture(scope="package")
def server(project: Path, stand_in: llm.StandIn) -> Iterator[Server]:
    env = {
        "WAYPOST_AI_PROVIDER": "openai-compatible",
        "WAYPOST_AI_BASE_URL": f"{stand_in.url}/v1",
        "WAYPOST_AI_MODEL": "stand-in",
        "WAYPOST_AI_MAX_RETRIES": "0",
        "OPENAI_API_KEY": "not-a-real-key",
    }
    running = start_server(project, env=env)
    yield running
    stop_server(running)


@pytest.fixture(scope="package")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 800},
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()


class Notebook:
    """A page showing one runbook, with what a test needs to drive it like a person would."""

    def __init__(self, page: Any, server: Server, stand_in: llm.StandIn) -> None:
        self.page = page
        self.server = server
        self.stand_in = stand_in
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def server_requests(self) -> list[dict[str, Any]]:
        """What the server sent the stand-in LLM."""
        return [r.body for r in self.stand_in.requests]

    def fresh(self, name: str, fixture: str = "notebook.md") -> Path:
        """A runbook of this test's own, copied from a fixture."""
        path = self.server.root / name
        shutil.copy(FIXTURES / fixture, path)
        return path

    def open(self, path: str) -> Notebook:
        self.page.goto(f"{self.server.url}/?token={TOKEN}#{path}")
        self.page.locator("section.cell").first.wait_for()
        return self

    def cell(self, text: str) -> Any:
        """The (non-suggested) cell whose text contains ``text``."""
        return self.page.locator("section.cell:not(.ghost)").filter(has_text=text).first

    def code_cell(self, name: str) -> Any:
        return self.page.locator("section.cell.code:not(.ghost)").filter(
            has=self.page.locator(".cell-name", has_text=re.compile(f"^{re.escape(name)}$"))
        )

    def run(self, cell: Any) -> None:
        cell.get_by_role("button", name=re.compile("^Run cell")).click()

    def status(self, cell: Any) -> Any:
        return cell.locator(".cell-status")

    def replace_code(self, cell: Any, text: str) -> None:
        editor = cell.locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)


@pytest.fixture
def notebook(browser_context: Any, server: Server, stand_in: llm.StandIn) -> Iterator[Notebook]:
    page = browser_context.new_page()
    view = Notebook(page, server, stand_in)
    yield view
    page.close()
    assert not view.errors, view.errors


def events(server: Server) -> list[dict[str, Any]]:
    log = server.state / "events" / "events.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def big_runbook(pairs: int) -> str:
    """A runbook of ``2 * pairs`` cells: one Markdown block (a heading, prose with code spans and
    links, a table or a task list, in turn), then a shell cell."""
    blocks = [
        "## Step {i}",
        "Check the *service* `svc-{i}` on [the dashboard](#step-{i}) before going **on**.",
        "| key | value |\n|---|---|\n| step | {i} |\n| owner | team-{i} |",
        "- [x] read step {i}\n- [ ] run step {i}",
    ]
    parts = []
    for i in range(pairs):
        parts.append(blocks[i % len(blocks)].format(i=i) + "\n")
        parts.append(f'```sh {{"name":"step-{i}"}}\necho "step {i}"\nls -la /tmp | head -3\n```\n')
    return "\n".join(parts)
