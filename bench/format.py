"""Round trip of a generated 1 MB runbook: Waypost (parse + serialize) vs jupytext (md → nb → md).

Run: ``.venv/bin/python bench/format.py [--size BYTES] [--repeat N]``. Prints both times and the
ratio; timings are the best of N runs on the same input in one process.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from runbook import generate
from waypost.notebook import parse, serialize


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text = generate(args.size)
    data = text.encode()
    assert serialize(parse(data)) == data, "round trip must be exact"
    cells = len(parse(data).cells)

    import jupytext

    def jupytext_round_trip() -> None:
        jupytext.writes(jupytext.reads(text, fmt="md"), fmt="md")

    w_best, w_median = timed(lambda: serialize(parse(data)), args.repeat)
    j_best, j_median = timed(jupytext_round_trip, max(2, args.repeat // 2))
    mb = len(data) / 1e6
    print(f"input: {len(data):,} bytes, {cells:,} cells; python {platform.python_version()}")
    print(f"{'tool':<10} {'best s':>8} {'median s':>9} {'s per MB':>9}")
    print(f"{'waypost':<10} {w_best:8.3f} {w_median:9.3f} {w_best / mb:9.3f}")
    print(f"{'jupytext':<10} {j_best:8.3f} {j_median:9.3f} {j_best / mb:9.3f}")
    print(f"ratio jupytext/waypost (best): {j_best / w_best:.1f}x")


if __name__ == "__main__":
    main()
