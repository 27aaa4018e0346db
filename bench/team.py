"""A team's deployment under load: 200 concurrent sessions spread over 3 replicas, 20 cells each.

Starts a private PostgreSQL (as the tests do) and three ``waypost serve`` replicas sharing it;
each session runs its cells in order through ``POST /api/run`` on a replica chosen round-robin,
so consecutive cells of one session land on different replicas. Reports throughput, p50/p99
latency and errors (target: zero errors). Compare with one replica on files (no database).

Run: ``.venv/bin/python bench/team.py [--sessions 200] [--cells 20]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.integration.server.conftest import TOKEN, Server, start_server, stop_server
from tests.postgres import postgres_url


def load(replicas: list[Server], sessions: int, cells: int) -> dict[str, float]:
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        # each session is one user with connections of their own to every replica
        clients = [httpx.Client(base_url=r.url, headers={"Authorization": f"Bearer {TOKEN}"},
                                timeout=120) for r in replicas]  # fmt: skip
        try:
            run_session(index, clients)
        finally:
            for c in clients:
                c.close()

    def run_session(index: int, clients: list[httpx.Client]) -> None:
        try:
            session = clients[index % len(clients)].post("/api/sessions", json={}).json()["id"]
        except Exception as exc:
            with lock:
                errors.append(repr(exc))
            return
        for step in range(cells):
            client = clients[(index + step) % len(clients)]
            cell = {"kind": "code", "value": f"export STEP={step}\necho $STEP", "languageId": "sh"}
            start = time.perf_counter()
            try:
                reply = client.post("/api/run", json={"sessionId": session, "cell": cell})
                ok = reply.status_code == 200 and reply.json()["stdout"] == f"{step}\n"
            except Exception as exc:
                ok, reply = False, exc  # type: ignore[assignment]
            with lock:
                if ok:
                    times.append((time.perf_counter() - start) * 1000)
                else:
                    errors.append(str(reply)[:200])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(sessions)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(times)
    return {
        "cells": len(times),
        "errors": len(errors),
        "seconds": elapsed,
        "per_second": len(times) / elapsed,
        "p50": statistics.median(ordered) if ordered else 0.0,
        "p99": ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else 0.0,
    }


def report(name: str, r: dict[str, float]) -> None:
    print(f"{name:<34} {r['cells']:6.0f} {r['errors']:6.0f} {r['per_second']:8.1f} "
          f"{r['p50']:9.1f} {r['p99']:9.1f}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--cells", type=int, default=20)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="waypost-team-"))
    print(f"{args.sessions} concurrent sessions x {args.cells} cells")
    print(
        f"{'deployment':<34} {'cells':>6} {'errors':>6} {'cells/s':>8} {'p50 ms':>9} {'p99 ms':>9}"
    )
    with postgres_url() as url:
        if url is None:
            sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
        replicas = []
        for name in "abc":
            (base / name).mkdir()
            env = {"WAYPOST_STORE_URL": url, "WAYPOST_SERVER_TEAM": "bench",
                   "WAYPOST_STATE_DIR": str(base / name / "state")}  # fmt: skip
            replicas.append(start_server(base / name, env=env))
        try:
            report("3 replicas, PostgreSQL", load(replicas, args.sessions, args.cells))
        finally:
            for r in replicas:
                stop_server(r)
    (base / "solo").mkdir()
    solo = start_server(base / "solo")
    try:
        report("1 server, files (no database)", load([solo], args.sessions, args.cells))
    finally:
        stop_server(solo)


if __name__ == "__main__":
    main()
