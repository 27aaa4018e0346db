"""Ghost cells for Runme's extension: time from a context update to its ghost cells.

A real ``waypost serve`` (offline provider) over a learning database of 10,000 examples; one
``AIService/StreamGenerate`` stream over HTTP/2 cleartext in the Connect protocol (binary
protobuf, as the extension's ``createConnectTransport({httpVersion: '2'})`` sends it). After the
full context, each of 200 updates rewrites the selected cell (a request the team ran before,
reworded, or one it never ran) and the clock runs from sending the update to reading its answer:
parsing, context, retrieval and adaptation, logging, framing and loopback included.
Target: p95 under 100 ms.

Run: ``.venv/bin/python bench/extension.py [--examples 10000] [--updates 200]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h2.config
import h2.connection
import h2.events

from waypost._proto.foyle.v1alpha1 import agent_pb2 as ai
from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost.learn import JsonlEventLog, Learner, SqliteStore
from waypost.learn import events as ev

TOKEN = "bench-token"
ENVS = ["prod", "staging", "dev", "qa"]
TEMPLATES = [
    ("Restart {svc} in {env}", "kubectl --context={env} -n {svc} rollout restart deploy/{svc}"),
    ("Show the logs of {svc} in {env}", "kubectl --context={env} -n {svc} logs deploy/{svc} --tail=200"),
    ("Scale {svc} in {env} to {n} replicas", "kubectl --context={env} -n {svc} scale deploy/{svc} --replicas={n}"),
    ("Which pods of {svc} run in {env}?", "kubectl --context={env} -n {svc} get pods -l app={svc}"),
    ("Back up the {svc} database in {env}", "opsctl db backup {svc} --env={env}"),
    ("Purge the {svc} dead-letter queue in {env}", "opsctl queue purge {svc}-dlq --env={env}"),
    ("Open an incident for {svc} with severity {n}", "opsctl incident open --sev={n} --service={svc}"),
    ("Read the {svc} password in {env}", "vault kv get -field=password secret/{env}/{svc}"),
]  # fmt: skip
REWORDED = [
    ("Please restart {svc} on {env}", None),
    ("Tail the {svc} logs in {env}", None),
    ("How many pods does {svc} have in {env}?", None),
    ("What is the weather like today?", None),
]


def pair(rng: random.Random, services: int) -> tuple[str, str]:
    request, command = rng.choice(TEMPLATES)
    values = {
        "svc": f"svc{rng.randrange(services)}",
        "env": rng.choice(ENVS),
        "n": str(rng.randrange(2, 40)),
    }
    return request.format(**values), command.format(**values)


def seed(state: Path, examples: int, rng: random.Random) -> int:
    """``examples`` successful executions in the event log, learned into the database."""
    events = state / "events"
    events.mkdir(parents=True)
    with open(events / "events.jsonl", "w", encoding="utf-8") as log:
        for i in range(examples):
            request, command = pair(rng, 400)
            context = [
                ev.ContextCell("markup", f"# Runbook {i}"),
                ev.ContextCell("markup", request),
            ]
            log.write(ev.execute(cell_id=f"C{i}", command=command, language="sh", exit_code=0,
                                 duration_ms=50.0, context=context, source="server").to_json() + "\n")  # fmt: skip
    store = SqliteStore(state / "learn.sqlite")
    try:
        Learner(JsonlEventLog(events), store).poll()
        return len(store)
    finally:
        store.close()


def start_server(root: Path, state: Path) -> tuple[subprocess.Popen[bytes], int]:
    env = {**os.environ, "WAYPOST_STATE_DIR": str(state), "XDG_CONFIG_HOME": str(root / ".cfg")}
    process = subprocess.Popen(
        [sys.executable, "-m", "waypost", "serve", "--port", "0", "--grpc-port", "0",
         "--project", str(root), "--token", TOKEN],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stderr is not None
    for line in process.stderr:
        if b"started listening" in line:
            return process, json.loads(line)["http"]
    raise RuntimeError("waypost serve did not start")


class Stream:
    """One Connect bidi stream over a bare HTTP/2 cleartext connection."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.id = self.conn.get_next_available_stream_id()
        headers = [(":method", "POST"), (":scheme", "http"), (":authority", f"127.0.0.1:{port}"),
                   (":path", path), ("content-type", "application/connect+proto")]  # fmt: skip
        self.conn.send_headers(self.id, headers)
        self.sock.sendall(self.conn.data_to_send())
        self.buffer = b""

    def send(self, message: ai.StreamGenerateRequest) -> None:
        data = message.SerializeToString()
        self.conn.send_data(self.id, struct.pack(">BI", 0, len(data)) + data)
        self.sock.sendall(self.conn.data_to_send())

    def receive(self) -> ai.StreamGenerateResponse:
        while True:
            if len(self.buffer) >= 5:
                flags, length = struct.unpack_from(">BI", self.buffer)
                if len(self.buffer) >= 5 + length:
                    payload, self.buffer = self.buffer[5 : 5 + length], self.buffer[5 + length :]
                    if flags & 0x02:
                        raise RuntimeError(f"stream ended: {payload.decode()}")
                    return ai.StreamGenerateResponse.FromString(payload)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            for event in self.conn.receive_data(chunk):
                if isinstance(event, h2.events.DataReceived) and event.stream_id == self.id:
                    self.buffer += event.data
                    self.conn.acknowledge_received_data(
                        event.flow_controlled_length, event.stream_id
                    )
            outgoing = self.conn.data_to_send()
            if outgoing:
                self.sock.sendall(outgoing)

    def close(self) -> None:
        self.conn.end_stream(self.id)
        self.sock.sendall(self.conn.data_to_send())
        self.sock.close()


def note(text: str) -> pb.Cell:
    return pb.Cell(kind=pb.CELL_KIND_MARKUP, value=text)


def requests_to_type(rng: random.Random, n: int) -> list[str]:
    """Half known requests, a third reworded, the rest never seen."""
    texts = []
    for i in range(n):
        if i % 6 < 3:
            texts.append(pair(rng, 400)[0])
        else:
            template, _ = rng.choice(REWORDED)
            texts.append(template.format(svc=f"svc{rng.randrange(400)}", env=rng.choice(ENVS)))
    return texts


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs {model}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="waypost-bench-ext-") as tmp:
        root, state = Path(tmp) / "project", Path(tmp) / "state"
        root.mkdir()
        started = time.perf_counter()
        learned = seed(state, args.examples, rng)
        seeding = time.perf_counter() - started
        process, port = start_server(root, state)
        try:
            stream = Stream(port, f"/t/{TOKEN}/api/AIService/StreamGenerate")
            notebook = pb.Notebook(cells=[note("# Ops"), note(pair(rng, 400)[0])])
            started = time.perf_counter()
            stream.send(ai.StreamGenerateRequest(context_id="bench", full_context=ai.FullContext(
                notebook=notebook, selected=1, notebook_uri="file:///bench/ops.md")))  # fmt: skip
            stream.receive()
            first = (time.perf_counter() - started) * 1000  # includes fitting the 10k examples
            times, answered = [], 0
            for text in requests_to_type(rng, args.updates):
                t0 = time.perf_counter()
                stream.send(
                    ai.StreamGenerateRequest(
                        context_id="bench", update=ai.UpdateContext(cell=note(text))
                    )
                )
                answer = stream.receive()
                times.append((time.perf_counter() - t0) * 1000)
                answered += bool(answer.cells)
            stream.close()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    times.sort()
    result = {
        "examples": learned,
        "seeding_seconds": round(seeding, 1),
        "first_answer_ms": round(first, 1),
        "updates": len(times),
        "answered_with_cells": answered,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max_ms": round(times[-1], 1),
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
