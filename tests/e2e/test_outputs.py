"""Native renderers: outputs shown by their MIME type, HTML only in a sandbox, long outputs cut
with a way to see everything."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Notebook


@pytest.fixture
def outputs(notebook: Notebook) -> Notebook:
    notebook.fresh("outputs.md", fixture="outputs.md")
    return notebook.open("outputs.md")


def run(notebook: Notebook, name: str):  # type: ignore[no-untyped-def]
    cell = notebook.code_cell(name)
    notebook.run(cell)
    expect(notebook.status(cell)).to_contain_text("exit 0")
    return cell


def test_csv_output_is_a_table(outputs: Notebook) -> None:
    table = run(outputs, "csv").locator(".output-table table")
    expect(table.get_by_role("columnheader")).to_have_text(["name", "role"])
    expect(table.get_by_role("row").nth(2)).to_contain_text("bob, jr")


def test_markdown_output_is_rendered(outputs: Notebook) -> None:
    cell = run(outputs, "report")
    expect(cell.get_by_role("heading", name="Report")).to_be_visible()
    expect(cell.locator(".output-markdown strong")).to_have_text("backups")


def test_html_output_runs_only_in_a_sandbox_without_the_pages_origin(outputs: Notebook) -> None:
    cell = run(outputs, "page")
    frame = cell.locator("iframe.output-html")
    expect(frame).to_be_visible()
    sandbox = frame.get_attribute("sandbox") or ""
    assert "allow-same-origin" not in sandbox
    expect(outputs.page.frame_locator("iframe.output-html").locator("h1")).to_have_text("scripted")
    # the page's own document is not reachable from the output
    assert frame.evaluate(
        "f => { try { return f.contentDocument === null } catch { return true } }"
    )


def test_svg_output_is_an_image(outputs: Notebook) -> None:
    image = run(outputs, "svg").locator("img.output-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 40


def test_png_bytes_are_shown_as_the_image(outputs: Notebook) -> None:
    cell = run(outputs, "png")
    image = cell.locator("img.output-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [3, 2]
    expect(cell.locator(".output-note")).to_contain_text("binary output: image/png")


def test_long_output_is_cut_with_a_way_to_see_all(outputs: Notebook) -> None:
    cell = run(outputs, "flood")
    text = cell.locator("pre.ansi")
    expect(cell.locator(".output-truncated")).to_contain_text("5,000 lines")
    assert "\n5000" not in text.inner_text()
    cell.get_by_role("button", name="Show all").click()
    expect(text).to_contain_text("4999\n5000")
