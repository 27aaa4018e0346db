"""Fit the ranking weights and the confidence once, by cross-validation on training histories.

For every dataset given (default: every folder of ``../shared/eval``), the ``train/`` notebooks
are learned through the real event path; then each fold of examples is held out in turn and
each held-out example is predicted from the others (its query in, its executed cell expected).
Nothing from ``eval/`` is read. Each dataset weighs the same in the fit, whatever its size.

1. Ranking: a logistic regression over candidate features (is this candidate's adapted command
   exactly the held-out cell?); its linear part becomes ``ranking.WEIGHTS``.
2. Confidence: a logistic regression over the top candidate's features and its margin under the
   fitted ranking (is the top candidate right?); it becomes ``calibration.COEFFICIENTS``.

Usage: ``python bench/calibrate.py [DATASET_DIR ...] [--out bench/out/calibration.json]``
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

from waypost.learn.eventlog import MemoryEventLog
from waypost.learn.evaluation import load_dataset, train_events
from waypost.learn.history import History
from waypost.learn.learner import Learner
from waypost.learn.metric import distance
from waypost.learn.ranking import FEATURE_NAMES, rank
from waypost.learn.store import MemoryStore

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"
MAX_HELD_OUT = 600
FOLDS = 5


def examples_of(directory: Path) -> list:
    store = MemoryStore()
    Learner(MemoryEventLog(train_events(load_dataset(directory))), store).poll()
    return store.since(0)[0]


def collect(directory: Path, rng: random.Random) -> list[tuple[np.ndarray, list[str], np.ndarray]]:
    """Per held-out example: candidate features, candidate commands, labels."""
    examples = examples_of(directory)
    n = len(examples)
    order = list(range(n))
    rng.shuffle(order)
    folds = n if n <= 100 else FOLDS
    held_per_fold = max(1, MAX_HELD_OUT // folds)
    rows = []
    for k in range(folds):
        held = order[k::folds]
        keep = set(held)
        history = History.fit([e for i, e in enumerate(examples) if i not in keep])
        for i in held[:held_per_fold]:
            target = examples[i]
            candidates = rank(history, target.query)
            if not candidates:
                continue
            feats = np.array([c.features.as_list() for c in candidates], dtype=np.float64)
            commands = [c.command.strip() for c in candidates]
            labels = np.array([distance(c.command, target.answer) == 0 for c in candidates])
            rows.append((feats, commands, labels))
    return rows


def logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method; returns [bias, coef...]."""
    x1 = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(x1.shape[1])
    reg = np.full(x1.shape[1], l2)
    reg[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x1 @ beta)))
        grad = x1.T @ (w * (p - y)) + reg * beta
        hess = (x1 * (w * p * (1 - p))[:, None]).T @ x1 + np.diag(reg) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def scored(rows, weights: np.ndarray):
    """Top candidate features + margin + support + label under a ranking weight vector."""
    out = []
    for feats, commands, labels in rows:
        s = feats @ weights
        order = np.argsort(-s, kind="stable")
        best = order[0]
        support = sum(1 for i in order if commands[i] == commands[best])
        rival = next((s[i] for i in order if commands[i] != commands[best]), None)
        margin = s[best] - rival if rival is not None else s[best]
        out.append((feats[best], margin, support, bool(labels[best])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "calibration.json")
    parser.add_argument("--rows", type=Path, help="also save the held-out features (pickle)")
    args = parser.parse_args()
    dirs = args.datasets or sorted(p for p in SHARED.iterdir() if (p / "train").is_dir())
    rng = random.Random(0)
    per_dataset = {}
    for d in dirs:
        start = time.time()
        per_dataset[d.name] = collect(d, rng)
        rows = per_dataset[d.name]
        reachable = sum(bool(r[2].any()) for r in rows)
        print(f"{d.name}: {len(rows)} held out, {reachable} reachable, {time.time() - start:.0f}s")

    # 1. ranking weights: candidates of reachable queries, each dataset weighing the same
    xs, ys, ws = [], [], []
    for rows in per_dataset.values():
        usable = [r for r in rows if r[2].any()]
        if not usable:
            continue
        weight = 1.0 / sum(len(r[0]) for r in usable)
        for feats, _, labels in usable:
            xs.append(feats)
            ys.append(labels.astype(float))
            ws.append(np.full(len(labels), weight))
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    beta = logistic(x, y, w * len(per_dataset) * 1000, l2=1.0)
    ranking = beta[1:]
    for name, rows in per_dataset.items():
        top = sum(bool(r[2][int(np.argmax(r[0] @ ranking))]) for r in rows)
        print(f"  {name}: top-1 right {top}/{len(rows)}")

    # 2. confidence: top candidate under the fitted ranking
    cx, cy, cw = [], [], []
    for rows in per_dataset.values():
        top = scored(rows, ranking)
        for feats, margin, support, label in top:
            cx.append([*feats, min(margin, 3.0), math.log(support)])
            cy.append(float(label))
            cw.append(1.0 / len(top))
    cbeta = logistic(np.array(cx), np.array(cy), np.array(cw) * len(per_dataset) * 1000, l2=1.0)
    names = [*FEATURE_NAMES, "margin", "support"]
    result = {
        "ranking": dict(zip(FEATURE_NAMES, map(float, ranking), strict=True)),
        "confidence": {"bias": float(cbeta[0]), **dict(zip(names, map(float, cbeta[1:]), strict=True))},
    }
    for name, rows in per_dataset.items():
        top = scored(rows, ranking)
        answered = right = 0
        for feats, margin, support, label in top:
            z = cbeta[0] + cbeta[1:] @ np.array([*feats, min(margin, 3.0), math.log(support)])
            if 1 / (1 + math.exp(-z)) >= 0.5:
                answered += 1
                right += label
        print(f"  {name}: answered {answered}/{len(top)}, right {right}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.rows:
        import pickle

        args.rows.write_bytes(pickle.dumps(per_dataset))
    args.out.write_text(json.dumps(result, indent=2))
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
