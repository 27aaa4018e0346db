"""A realistic generated runbook of a given size, shared by the benchmarks."""

from __future__ import annotations

import random

WORDS = [
    "deploy",
    "service",
    "cluster",
    "restart",
    "logs",
    "check",
    "database",
    "backup",
    "restore",
    "rotate",
    "secret",
    "token",
    "namespace",
    "pod",
    "node",
    "queue",
    "latency",
    "error",
    "rate",
    "alert",
    "on-call",
    "page",
    "rollback",
    "canary",
    "traffic",
    "region",
    "staging",
    "production",
    "config",
    "flag",
    "migrate",
    "schema",
    "index",
    "cache",
    "warm",
    "drain",
    "cordon",
]


def _sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=n)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def generate(size: int, seed: int = 7) -> str:
    """Markdown of about ``size`` bytes: headings, prose, tables, lists with code, quotes."""
    rng = random.Random(seed)
    parts = ["---\ntitle: Generated runbook\nshell: bash\n---\n\n# Operations\n\n"]
    total = len(parts[0])
    step = 0
    while total < size:
        step += 1
        svc = rng.choice(WORDS)
        kind = step % 6
        if kind == 0:
            chunk = f"## Step {step}: {svc}\n\n{_sentence(rng, 18)}\n{_sentence(rng, 12)}\n\n"
        elif kind == 1:
            chunk = (
                f'Check the {svc} first:\n\n```sh {{"name":"check-{step}"}}\n'
                f"kubectl -n {svc} get pods -o wide\nkubectl -n {svc} logs deploy/{svc} --since=10m\n```\n\n"
            )
        elif kind == 2:
            chunk = (
                f"1. Drain the node\n\n   ```bash\n   kubectl drain node-{step} --ignore-daemonsets\n   ```\n\n"
                f"2. {_sentence(rng, 8)}\n3. Verify `{svc}` is healthy\n\n"
            )
        elif kind == 3:
            chunk = (
                f"| env | replicas | owner |\n|---|---|---|\n| staging | {step % 5} | {svc} |\n"
                f"| production | {step % 9} | {svc} |\n\n<!-- reviewed {step} -->\n\n"
            )
        elif kind == 4:
            chunk = (
                f"> **Note:** {_sentence(rng, 14)}\n> {_sentence(rng, 6)}\n\n"
                f'```python {{"name":"py-{step}","interactive":"false"}}\n'
                f"import json\nprint(json.dumps({{'step': {step}, 'svc': '{svc}'}}))\n```\n\n"
            )
        else:
            chunk = f"- {_sentence(rng, 6)}\n- {_sentence(rng, 7)}\n  - nested `{svc}` item\n\n"
        parts.append(chunk)
        total += len(chunk)
    return "".join(parts)
