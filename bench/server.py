"""Latency of running ``echo hi`` through the servers vs the library, and many sessions at once.

(a) p50/p99 of one ``echo hi`` in an existing session: the runner library alone, gRPC (Runme's
runner v1 ``Execute``), and the WebSocket API, against a real ``waypost serve`` on loopback.
(b) 50 concurrent sessions each running 20 cells (over gRPC and over WebSocket): throughput,
latency percentiles and errors (target: zero errors).

Run: ``.venv/bin/python bench/server.py [--runs N] [--sessions 50] [--cells 20]``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import grpc
from websockets.sync.client import connect

from waypost._proto.runme.runner.v1 import runner_pb2 as v1
from waypost._proto.runme.runner.v1 import runner_pb2_grpc as v1_grpc
from waypost.runner import ExecuteRequest, Runner

TOKEN = "bench-token"
AUTH = (("authorization", f"Bearer {TOKEN}"),)


def start_server(root: Path) -> tuple[subprocess.Popen[bytes], int, int]:
    env = {
        **os.environ,
        "WAYPOST_STATE_DIR": str(root / ".state"),
        "XDG_CONFIG_HOME": str(root / ".cfg"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "waypost", "serve", "--port", "0", "--grpc-port", "0", "--project", str(root),
         "--token", TOKEN], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if b"started listening" in line:
            record = json.loads(line)
            return proc, record["http"], record["grpc"]
    raise RuntimeError("server did not start")


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def library_runner(runner: Runner, session: str) -> Callable[[], object]:
    request = ExecuteRequest(commands=("echo hi",), language="sh", session_id=session)  # type: ignore[arg-type]

    def run() -> object:
        execution = runner.execute(request)
        for _ in execution.events():
            pass
        return execution

    return run


def grpc_runner(stub: v1_grpc.RunnerServiceStub, session: str) -> Callable[[], object]:
    request = v1.ExecuteRequest(program_name="bash", commands=["echo hi"], session_id=session,
                                command_mode=v1.COMMAND_MODE_INLINE_SHELL)  # fmt: skip

    def run() -> object:
        code = None
        for response in stub.Execute(iter([request]), metadata=AUTH):
            if response.HasField("exit_code"):
                code = response.exit_code.value
        if code != 0:
            raise RuntimeError(f"exit {code}")
        return code

    return run


def ws_runner(port: int, session: str) -> Callable[[], object]:
    message = json.dumps({"type": "execute", "sessionId": session, "interactive": False,
                          "cell": {"kind": "code", "value": "echo hi", "languageId": "sh"}})  # fmt: skip
    url = f"ws://127.0.0.1:{port}/api/ws/execute"

    def run() -> object:
        with connect(url, additional_headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
            ws.send(message)
            while True:
                reply = json.loads(ws.recv(timeout=30))
                if reply["type"] == "exited":
                    if reply["exitCode"] != 0:
                        raise RuntimeError(f"exit {reply['exitCode']}")
                    return reply
                if reply["type"] == "error":
                    raise RuntimeError(reply["message"])

    return run


def concurrent(
    make: Callable[[int], Callable[[], object]], sessions: int, cells: int
) -> dict[str, float]:
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        run = make(index)
        for _ in range(cells):
            start = time.perf_counter()
            try:
                run()
            except Exception as exc:
                with lock:
                    errors.append(repr(exc))
                continue
            with lock:
                times.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(sessions)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    p50, p99 = percentiles(times) if times else (0.0, 0.0)
    return {"cells": len(times), "errors": len(errors), "seconds": elapsed,
            "per_second": len(times) / elapsed, "p50": p50, "p99": p99}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--cells", type=int, default=20)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="waypost-bench-"))
    proc, http, grpc_port = start_server(root)
    try:
        with Runner() as runner, grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            stub = v1_grpc.RunnerServiceStub(channel)
            local = runner.create_session().id
            remote = stub.CreateSession(v1.CreateSessionRequest(), metadata=AUTH).session.id
            rows = [
                ("library", timed(library_runner(runner, local), args.runs)),
                ("gRPC (runner v1)", timed(grpc_runner(stub, remote), args.runs)),
                ("WebSocket", timed(ws_runner(http, remote), args.runs)),
            ]
            base = statistics.median(rows[0][1])
            print(f"(a) echo hi in an existing session, {args.runs} runs each")
            print(f"{'path':<18} {'p50 ms':>8} {'p99 ms':>8} {'p50 / library':>14}")
            for name, times in rows:
                p50, p99 = percentiles(times)
                print(f"{name:<18} {p50:8.2f} {p99:8.2f} {p50 / base:13.2f}x")

            def grpc_session(_: int) -> Callable[[], object]:
                session = stub.CreateSession(v1.CreateSessionRequest(), metadata=AUTH).session.id
                return grpc_runner(stub, session)

            def ws_session(_: int) -> Callable[[], object]:
                session = stub.CreateSession(v1.CreateSessionRequest(), metadata=AUTH).session.id
                return ws_runner(http, session)

            print(f"(b) {args.sessions} concurrent sessions x {args.cells} cells")
            print(
                f"{'path':<18} {'cells':>6} {'errors':>6} {'cells/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
            )
            for name, make in (("gRPC (runner v1)", grpc_session), ("WebSocket", ws_session)):
                r = concurrent(make, args.sessions, args.cells)
                print(f"{name:<18} {r['cells']:6.0f} {r['errors']:6.0f} {r['per_second']:8.1f} "
                      f"{r['p50']:8.2f} {r['p99']:8.2f}")  # fmt: skip
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
