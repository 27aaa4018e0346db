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

from waypost.learn.evaluation import load_dataset, train_events
from waypost.learn.eventlog import MemoryEventLog
from waypost.learn.history import History
from waypost.learn.learner import Learner
from waypost.learn.metric import distance
from waypost.learn.ranking import FEATURE_NAMES, rank
from waypost.learn.store import MemoryStore

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"
MAX_HELD_OUT = 600
MAX_PSEUDO = 300
DROP = 0.4
SWAP = 0.0
"""Share of pseudo-requests that also get a new literal value (tried; off: see RESULTS.md)."""
"""Pseudo-requests keep each word of the original with probability 1 - DROP."""
CROWD = 2.0
"""Candidates scoring within this of the best count as its crowd (see ``ranking``)."""
NEAR = 0.5
"""Held-out examples whose command is this close to a past one (but not reachable exactly) are
left out of the fit: as in the eval layout's split, a case is either a known action (F, C, S)
or has nothing relevant (N)."""
PENALTIES = ("unfilled", "unplaced", "untranslated", "substitutions")
SIGNS = {
    "cover_request": 1,
    "cover_example": 1,
    "fit": 1,
    "margin": 1,
    "support": 1,
    "lexical": 1,
    "generation": 1,
    "unknown": -1,
    "unfilled": -1,
    "unplaced": -1,
    "untranslated": -1,
    "crowd": -1,
}
"""Directions the confidence may move with each feature (what "more evidence" means)."""
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
            nearest = min(distance(c.entry.example.answer, target.answer) for c in candidates)
            if not labels.any() and nearest < NEAR:
                continue  # a near variant of a past command: neither "known" nor "nothing relevant"
            rows.append((feats, commands, labels))
    return rows, pseudo_requests(examples, rng)


def pseudo_requests(examples: list, rng: random.Random) -> list:
    """F-like cases from the history alone: an example's request reworded by chance (a share
    of its words dropped, a few words of other requests mixed in), asked against the whole
    history. The right answer is the example's own command."""
    from waypost.learn.lexicon import request_words
    from waypost.learn.query import MARKUP, Query, QueryCell

    history = History.fit(examples)
    vocabulary = sorted({w.text for e in examples for w in request_words(e.query.intent)})
    picked = rng.sample(examples, min(len(examples), MAX_PSEUDO))
    rows = []
    for example in picked:
        words = [w.text for w in request_words(example.query.intent)]
        if len(words) < 3:
            continue
        answer = example.answer
        if SWAP and rng.random() < SWAP:
            # a known action with a new value: a literal of the request that the command spells
            # out is replaced, in both, by a fresh one of the same shape (an S or C case)
            swapped = _swap_literal(words, answer, history, rng)
            if swapped is not None:
                words, answer = swapped
        kept = [w for w in words if rng.random() > DROP]
        for _ in range(max(1, len(words) // 5)):
            # a word of another request, or one the history has never seen (paraphrases bring both)
            word = rng.choice(vocabulary) if rng.random() < 0.5 else f"unseen{rng.randrange(10**6)}"
            kept.insert(rng.randrange(len(kept) + 1), word)
        query = Query((QueryCell(MARKUP, " ".join(kept)),))
        candidates = rank(history, query)
        if not candidates:
            continue
        feats = np.array([c.features.as_list() for c in candidates], dtype=np.float64)
        commands = [c.command.strip() for c in candidates]
        labels = np.array([distance(c.command, answer) == 0 for c in candidates])
        rows.append((feats, commands, labels))
    return rows


def _swap_literal(words: list[str], answer: str, history: History, rng: random.Random):
    """``(words, answer)`` with one literal value changed, or ``None``."""
    from waypost.learn.conventions import find_literal
    from waypost.learn.lexicon import literal_type

    options = []
    for i, w in enumerate(words):
        kind = literal_type(w)
        spans = find_literal(answer, w) if len(w) > 1 else []
        if not spans:
            continue
        if kind in ("number", "hex", "version", "date", "ident", "quantity"):
            new = "".join(
                str(rng.randrange(10))
                if ch.isdigit()
                else rng.choice("abcdef")
                if kind == "hex" and ch.isalpha()
                else ch
                for ch in w
            )
        elif kind == "word" and history.conv.siblings.get(w.lower()):
            new = rng.choice(sorted(history.conv.siblings[w.lower()]))
            if find_literal(answer, new):
                continue
        else:
            continue
        if new != w:
            options.append((i, w, new, spans))
    if not options:
        return None
    i, _old, new, spans = rng.choice(options)
    out, at = [], 0
    for start, end in spans:
        out.append(answer[at:start])
        out.append(new)
        at = end
    out.append(answer[at:])
    return [new if j == i else w for j, w in enumerate(words)], "".join(out)


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


def listwise(per_dataset, l2: float = 0.01, steps: int = 2000, lr: float = 0.5) -> np.ndarray:
    """Softmax (listwise) ranking weights: maximise the probability of the right candidates,
    each dataset weighing the same. Gradient ascent on standardised features."""
    queries = []
    for rows in per_dataset.values():
        usable = [r for r in rows if r[2].any()]
        for feats, _, labels in usable:
            queries.append((feats, labels.astype(float), 1.0 / len(usable)))
    k = max(len(q[0]) for q in queries)
    d = queries[0][0].shape[1]
    x = np.zeros((len(queries), k, d))
    mask = np.zeros((len(queries), k))
    target = np.zeros((len(queries), k))
    weight = np.array([q[2] for q in queries])
    for i, (feats, labels, _) in enumerate(queries):
        x[i, : len(feats)] = feats
        mask[i, : len(feats)] = 1
        target[i, : len(feats)] = labels / labels.sum()
    flat = x[mask > 0]
    mu, sd = flat.mean(axis=0), flat.std(axis=0) + 1e-9
    z = (x - mu) / sd * mask[..., None]
    w = np.zeros(d)
    penalty = [FEATURE_NAMES.index(n) for n in PENALTIES]
    for _ in range(steps):
        s = z @ w
        s = np.where(mask > 0, s, -1e9)
        p = np.exp(s - s.max(axis=1, keepdims=True)) * mask
        p /= p.sum(axis=1, keepdims=True)
        grad = np.einsum("q,qkd,qk->d", weight, z, target - p) / weight.sum() - l2 * w
        w += lr * grad
        w[penalty] = np.minimum(w[penalty], 0.0)  # a cost never becomes a bonus
    return w / sd


def monotone_logistic(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    signs: np.ndarray,
    l2: float = 0.01,
    steps: int = 4000,
    lr: float = 0.5,
) -> np.ndarray:
    """Weighted logistic regression whose coefficients keep the given signs (+1: more of the
    feature never lowers the confidence, -1: never raises it, 0: free). Returns [bias, coef...]."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mu) / sd
    beta = np.zeros(x.shape[1])
    bias = 0.0
    w = w / w.sum()
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ beta + bias)))
        g = w * (y - p)
        beta += lr * (z.T @ g - l2 * beta)
        bias += lr * g.sum()
        beta = np.where(
            signs > 0, np.maximum(beta, 0), np.where(signs < 0, np.minimum(beta, 0), beta)
        )
    coef = beta / sd
    return np.concatenate([[bias - coef @ mu], coef])


def scored(rows, weights: np.ndarray):
    """Top candidate features + margin + support + label under a ranking weight vector."""
    out = []
    for feats, commands, labels in rows:
        s = feats @ weights
        order = np.argsort(-s, kind="stable")
        best = order[0]
        rival = next((s[i] for i in order if commands[i] != commands[best]), None)
        margin = s[best] - rival if rival is not None else s[best]
        near = {commands[i] for i in order if s[i] >= s[best] - CROWD}
        out.append((feats[best], margin, math.log(len(near)), bool(labels[best])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "calibration.json")
    parser.add_argument("--rows", type=Path, help="also save the held-out features (pickle)")
    args = parser.parse_args()
    dirs = args.datasets or sorted(p for p in SHARED.iterdir() if (p / "train").is_dir())
    rng = random.Random(0)
    per_dataset: dict[str, list] = {}
    per_pseudo: dict[str, list] = {}
    for d in dirs:
        start = time.time()
        held, pseudo = collect(d, rng)
        per_dataset[d.name] = held
        per_pseudo[d.name] = pseudo
        reachable = sum(bool(r[2].any()) for r in held)
        right = sum(bool(r[2].any()) for r in pseudo)
        print(
            f"{d.name}: {len(held)} held out ({reachable} reachable), "
            f"{len(pseudo)} reworded ({right} reachable), {time.time() - start:.0f}s"
        )
    if args.rows:
        import pickle

        args.rows.write_bytes(pickle.dumps((per_dataset, per_pseudo)))

    # 1. ranking weights (listwise), each dataset weighing the same
    ranking = listwise(per_dataset)
    for name, rows in per_dataset.items():
        top = sum(bool(r[2][int(np.argmax(r[0] @ ranking))]) for r in rows)
        print(f"  {name}: top-1 right {top}/{len(rows)}")

    # 2. confidence: top candidate under the fitted ranking, held-out and reworded requests
    cx, cy, cw = [], [], []
    for name in per_dataset:
        top = scored(per_dataset[name] + per_pseudo[name], ranking)
        for feats, margin, crowd, label in top:
            cx.append([*feats, min(margin, 3.0), crowd])
            cy.append(float(label))
            cw.append(1.0 / len(top))
    names = [*FEATURE_NAMES, "margin", "crowd"]
    signs = np.array([SIGNS.get(n, 0) for n in names], dtype=float)
    cbeta = monotone_logistic(np.array(cx), np.array(cy), np.array(cw), signs)
    result = {
        "ranking": dict(zip(FEATURE_NAMES, map(float, ranking), strict=True)),
        "confidence": {
            "bias": float(cbeta[0]),
            **dict(zip(names, map(float, cbeta[1:]), strict=True)),
        },
    }
    for name, rows in per_dataset.items():
        top = scored(rows + per_pseudo[name], ranking)
        answered = right = 0
        for feats, margin, crowd, label in top:
            z = cbeta[0] + cbeta[1:] @ np.array([*feats, min(margin, 3.0), crowd])
            if 1 / (1 + math.exp(-z)) >= 0.5:
                answered += 1
                right += label
        print(f"  {name}: answered {answered}/{len(top)}, right {right}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
