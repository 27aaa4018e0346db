"""Running cells from the browser: streamed output, a terminal that takes typed input, stop,
rich output, the session's environment."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Notebook, events


def test_output_streams_into_the_cell_while_it_runs(notebook: Notebook) -> None:
    notebook.fresh("stream.md")
    notebook.open("stream.md")
    slow = notebook.code_cell("slow")
    notebook.run(slow)
    output = slow.locator(".cell-output")
    expect(output).to_contain_text("tick 1")
    # the first line is there while the cell still runs
    expect(slow.get_by_role("button", name="Stop (interrupt)")).to_be_visible()
    assert "tick 3" not in output.inner_text()
    expect(notebook.status(slow)).to_contain_text(re.compile(r"✓ exit 0 · \d"), timeout=15_000)
    assert output.inner_text().split() == ["tick", "1", "tick", "2", "tick", "3"]


def test_typed_input_reaches_an_interactive_read(notebook: Notebook) -> None:
    notebook.fresh("read.md")
    page = notebook.open("read.md").page
    ask = notebook.code_cell("ask")
    notebook.run(ask)
    terminal = ask.locator(".output-terminal")
    expect(terminal).to_contain_text("Your name?")
    terminal.click()
    page.keyboard.type("Ada")
    page.keyboard.press("Enter")
    expect(terminal).to_contain_text("Hi Ada, welcome")
    expect(notebook.status(ask)).to_contain_text("✓ exit 0")


def test_stop_interrupts_a_long_cell(notebook: Notebook) -> None:
    notebook.fresh("stop.md")
    notebook.open("stop.md")
    forever = notebook.code_cell("forever")
    notebook.run(forever)
    expect(forever.locator(".output-terminal")).to_contain_text("started forever")
    forever.get_by_role("button", name="Stop (interrupt)").click()
    expect(notebook.status(forever)).to_contain_text("✗ exit 130")
    expect(forever.get_by_role("button", name=re.compile("^Run cell"))).to_be_visible()


def test_the_stop_button_in_the_bar_stops_what_runs(notebook: Notebook) -> None:
    notebook.fresh("stop-all.md")
    page = notebook.open("stop-all.md").page
    forever = notebook.code_cell("forever")
    notebook.run(forever)
    expect(forever.locator(".output-terminal")).to_contain_text("started forever")
    page.get_by_role("button", name="■ Stop").click()
    expect(notebook.status(forever)).to_contain_text("✗ exit 130")


def test_json_output_renders_as_a_collapsible_tree(notebook: Notebook) -> None:
    notebook.fresh("json.md")
    notebook.open("json.md")
    config = notebook.code_cell("config")
    notebook.run(config)
    tree = config.locator(".json-tree")
    expect(tree).to_be_visible()
    expect(tree.locator(".json-key", has_text="service")).to_be_visible()
    expect(tree.locator(".json-string", has_text='"api"')).to_be_visible()
    labels = tree.locator("details", has=tree.page.locator("summary", has_text="labels")).first
    expect(labels.locator(".json-key", has_text="tier")).to_be_visible()
    labels.locator("summary").first.click()
    expect(labels.locator(".json-key", has_text="tier")).to_be_hidden()
    config.get_by_role("button", name="Show raw output").click()
    expect(config.locator("pre.ansi")).to_contain_text('"replicas": 3')


def test_output_without_a_terminal_keeps_its_ansi_colours(notebook: Notebook) -> None:
    notebook.fresh("colors.md")
    notebook.open("colors.md")
    colors = notebook.code_cell("colors")
    notebook.run(colors)
    expect(colors.locator("pre.ansi .ansi-green-fg")).to_have_text("green")
    expect(colors.locator("pre.ansi .ansi-red-fg")).to_have_text("red")


def test_environment_panel_shows_the_session_with_secrets_masked(notebook: Notebook) -> None:
    notebook.fresh("env.md")
    page = notebook.open("env.md").page
    export = notebook.code_cell("export")
    notebook.run(export)
    expect(notebook.status(export)).to_contain_text("✓ exit 0")
    page.get_by_role("button", name="Env", exact=True).click()
    panel = page.locator("aside.panel")
    row = panel.get_by_role("row", name=re.compile("^GREETING"))
    expect(row).to_contain_text("hello there")
    secret = panel.get_by_role("row", name=re.compile("^API_SECRET"))
    expect(secret).to_be_visible()
    assert "s3cr3t-value" not in panel.inner_text()
    panel.get_by_role("button", name="Reset session").click()
    expect(panel).to_contain_text("No session yet")


def test_an_accepted_suggestion_runs_and_is_logged_as_executed(notebook: Notebook) -> None:
    notebook.fresh("accept-run.md")
    page = notebook.open("accept-run.md").page
    notebook.cell("Done.").focus()
    page.keyboard.press("Control+Enter")
    expect(page.locator("section.cell.ghost")).to_have_count(1)
    page.keyboard.press("Tab")
    accepted = page.locator("section.cell.code:focus")
    cell_id = accepted.get_attribute("data-cell-id")
    page.keyboard.press("Shift+Enter")
    cell = page.locator(f'section.cell[data-cell-id="{cell_id}"]')
    expect(cell.locator(".cell-output")).to_contain_text("suggested-by-the-ai")
    expect(notebook.status(cell)).to_contain_text("✓ exit 0")
    executed = [e for e in events(notebook.server) if e["type"] == "execute"]
    assert any(e["cell_id"] == cell_id for e in executed)


def test_run_all_goes_in_order_skips_excluded_cells_and_stops_at_a_failure(
    notebook: Notebook,
) -> None:
    notebook.fresh("runall.md", fixture="runall.md")
    page = notebook.open("runall.md").page
    page.get_by_role("button", name="▶ Run all").click()
    expect(page.locator(".statusbar .message")).to_contain_text("Run all stopped at failing")
    expect(notebook.status(notebook.code_cell("first"))).to_contain_text("✓ exit 0")
    expect(notebook.status(notebook.code_cell("failing"))).to_contain_text("✗ exit 3")
    assert notebook.status(notebook.code_cell("skipped")).inner_text() == ""
    assert notebook.status(notebook.code_cell("after")).inner_text() == ""


def test_the_terminal_size_follows_the_panel(notebook: Notebook) -> None:
    notebook.fresh("size.md")
    page = notebook.open("size.md").page
    page.set_viewport_size({"width": 700, "height": 800})
    size = notebook.code_cell("size")
    notebook.run(size)
    terminal = size.locator(".output-terminal")
    expect(terminal).to_contain_text("resize, then press Enter")
    before = int(terminal.inner_text().split()[1])
    screen = terminal.locator(".xterm-screen")
    width = screen.evaluate("el => el.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    # the terminal took the new width, and told the process in the same step
    screen.evaluate(
        "(el, width) => new Promise(done => { const check = () =>"
        " el.clientWidth > width ? done() : requestAnimationFrame(check); check() })",
        width,
    )
    terminal.click()
    page.keyboard.press("Enter")
    expect(notebook.status(size)).to_contain_text("✓ exit 0")
    expect(terminal).to_contain_text(re.compile(r"Enter\s+24 \d+"))
    rows, cols = (int(n) for n in terminal.inner_text().split()[-2:])
    assert rows == 24 and cols > before
