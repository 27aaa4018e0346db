"""Overhead of generating the next cell for a 200-cell notebook.

Two providers, side by side in one run: the offline provider (learned examples) and a stand-in LLM
on loopback that answers instantly through the real OpenAI SDK, so what is measured is Waypost's
own work (context, prompt, HTTP client, parsing, event log), not a model. Target: p50 under 20 ms.

Run: ``.venv/bin/python bench/generate.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.standins.llm import Reply, start

from waypost.ai import Generator, make_provider
from waypost.config import AIConfig
from waypost.learn.events import JsonlEventSink
from waypost.notebook import parse


def notebook(cells: int) -> list:
    parts = []
    for i in range(cells // 2):
        parts.append(f"Step {i}: check the deployment of service-{i} in staging.\n\n")
        parts.append(f"```sh\nkubectl -n svc-{i} get deploy svc-{i} -o wide\n```\n\n")
    return list(parse("".join(parts)).cells)


def measure(generator: Generator, cells: list, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        generator.generate(cells, len(cells) - 1)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    times = sorted(times)
    p50 = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{name:<28} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   n={len(times)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    cells = notebook(200)
    events = Path(tempfile.mkdtemp()) / "events"
    sink = JsonlEventSink(events)
    offline = AIConfig(provider="offline")
    report(
        "offline (no history)",
        measure(Generator(make_provider(offline), offline, sink=sink), cells, args.runs),
    )
    stand_in = start()
    stand_in.default = Reply(text="```sh\nkubectl -n svc-99 rollout status deploy/svc-99\n```")
    llm = AIConfig(provider="openai-compatible", base_url=f"{stand_in.url}/v1", max_retries=0)
    generator = Generator(make_provider(llm, env={}), llm, sink=sink, env={})
    measure(generator, cells, 5)  # warm the connection pool
    report("stand-in LLM (instant)", measure(generator, cells, args.runs))
    stand_in.close()


if __name__ == "__main__":
    main()
