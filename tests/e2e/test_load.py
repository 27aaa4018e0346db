"""Opening a 300-cell runbook: every cell shows, and the time it takes is measured with the
browser's own timings and recorded (reported, never asserted)."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import TOKEN, Server

OUT = Path(__file__).resolve().parents[2] / "bench" / "out" / "browser-load.json"

# long tasks are only reported to observers that exist before they happen
WATCH_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""

TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null;
  const blocking = window.__longTasks.reduce((sum, [, d]) => sum + Math.max(0, d - 50), 0);
  const lastLong = window.__longTasks.reduce((end, [s, d]) => Math.max(end, s + d), 0);
  return {
    responseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    firstContentfulPaint: fcp,
    notebookFetched: mark("waypost:notebook-fetched"),
    notebookShown: mark("waypost:notebook-shown"),
    interactive: mark("waypost:interactive"),
    lastLongTaskEnd: lastLong,
    totalBlockingTime: blocking,
    transferKiB: performance.getEntriesByType("resource")
      .reduce((n, r) => n + (r.transferSize || 0), nav.transferSize || 0) / 1024,
    cells: document.querySelectorAll("section.cell").length,
    editors: document.querySelectorAll(".cm-editor").length,
  };
}"""


def load_once(context: Any, server: Server, *, cold: bool = False) -> dict[str, Any]:
    page = context.new_page()
    if cold:  # every asset fetched again, as on a first visit
        context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.add_init_script(WATCH_LONG_TASKS)
    page.goto(f"{server.url}/#big.md")
    expect(page.locator("section.cell")).to_have_count(300)
    page.wait_for_function("performance.getEntriesByName('waypost:interactive').length > 0")
    page.wait_for_timeout(300)  # let late long tasks report
    timings = page.evaluate(TIMINGS)
    page.close()
    return timings


def test_a_300_cell_runbook_opens_and_its_load_time_is_recorded(
    browser_context: Any, server: Server
) -> None:
    warmup = browser_context.new_page()
    warmup.goto(f"{server.url}/?token={TOKEN}#README.md")  # sets the cookie
    warmup.close()
    runs = [load_once(browser_context, server, cold=True)]
    runs += [load_once(browser_context, server) for _ in range(4)]
    assert all(r["cells"] == 300 for r in runs)
    # time to interactive: the notebook is drawn and the main thread is free again
    tti = [max(r["interactive"], r["lastLongTaskEnd"]) for r in runs]
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "runbook": "300 cells: 150 Markdown blocks (headings, prose with code spans and links, "
        "tables, task lists) and 150 shell cells",
        "cold_load": runs[0],
        "time_to_interactive_ms": {
            "cold": round(tti[0], 1),
            "warm_median_of_4": round(statistics.median(tti[1:]), 1),
            "all": [round(t, 1) for t in tti],
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print("\nbrowser load, 300-cell runbook:", json.dumps(report["time_to_interactive_ms"]))
