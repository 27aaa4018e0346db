"""Ranking: which past example, once adapted, answers this request best, and how surely.

Candidates come from the lexical index (BM25, query expanded with the team's own translations).
Each is adapted to the request first and judged after, on what it would actually run:

- ``cover_request``: how much of the request (weighted by how informative each word is) the
  example accounts for: the same word in its request, a value put into the command, a word the
  command spells out, or a word the team's history translates into one of the command's atoms;
- ``cover_example``: how much of the example's own request the new one accounts for. A word the
  example asked for and this request does not (an action such as "raise" where only "show" was
  asked) costs in proportion to how much it decides which command is run;
- ``generation``: how likely the request is to produce the command's atoms (Model 1);
- adaptation costs: literal slots left unfilled (the example needs a value the request did not
  give), literals of the request left unplaced, realizations with no rule to carry them.

Words that decide the command (actions) weigh more than words that name what it acts on
(values): a word's weight is its IDF times a factor learned from the history, the share of its
translation mass on atoms that are not values (see ``History.action_weight``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from waypost.learn.adaptation import Adaptation, adapt
from waypost.learn.conventions import find_literal, value_words
from waypost.learn.history import Entry, History, command_terms, query_words, request_terms
from waypost.learn.lexicon import Word
from waypost.learn.query import Query

__all__ = ["CROWD", "FEATURE_NAMES", "WEIGHTS", "Candidate", "Features", "rank", "score"]

_CANDIDATES = 40
CROWD = 2.0


@dataclass(slots=True)
class Features:
    """What the score and the confidence are computed from (all documented in the module)."""

    cover_request: float = 0.0
    cover_example: float = 0.0
    generation: float = 0.0
    lexical: float = 0.0
    unfilled: int = 0
    unplaced: int = 0
    untranslated: int = 0
    substitutions: int = 0
    unknown: float = 0.0
    """Share of the request's weight on words the history has never seen (and that the
    adaptation did not put into the command as a new value)."""
    verbatim: float = 0.0
    """1 when the example's command is suggested unchanged."""
    support: float = 0.0
    """log of how many candidates (other requests) lead to this same command."""
    fit: float = 0.0
    """Weighted mean log-probability that the example explains each request word (the log-scale
    counterpart of ``cover_request``; separates near misses among paraphrases)."""

    def as_list(self) -> list[float]:
        return [float(getattr(self, name)) for name in FEATURE_NAMES]


FEATURE_NAMES = (
    "verbatim",
    "support",
    "cover_request",
    "cover_example",
    "generation",
    "lexical",
    "unfilled",
    "unplaced",
    "untranslated",
    "substitutions",
    "unknown",
    "fit",
)

WEIGHTS: dict[str, float] = {
    "verbatim": 1.505,
    "support": 0.493,
    "cover_request": 6.636,
    "cover_example": 1.271,
    "generation": 1.114,
    "lexical": 0.385,
    "unfilled": -0.124,
    "unplaced": -0.644,
    "untranslated": 0.0,
    "substitutions": -0.838,
    "unknown": 1.71,
    "fit": 0.977,
}
"""Linear ranking weights over ``Features`` (fitted once by ``bench/calibrate.py``)."""


@dataclass(slots=True)
class Candidate:
    """One example, adapted to the request, and how well it fits."""

    entry: Entry
    command: str
    """The adapted command (the cell to suggest)."""
    adaptation: Adaptation
    features: Features
    score: float = 0.0
    margin: float = 0.0
    """Score minus the best score of a candidate that suggests something else."""
    support: int = 1
    """How many candidates suggest exactly this command."""
    crowd: float = 0.0
    """log of how many different commands score within ``CROWD`` of the best: how ambiguous the
    history is around this request (many near-identical commands, as in a corpus of one-liners)."""
    confidence: float = 0.0
    others: list[Entry] = field(default_factory=list)


def _weight(history: History, word: Word) -> float:
    return history.idf(word.key if word.kind == "word" else word.norm)


def _content(words: tuple[Word, ...] | list[Word]) -> list[Word]:
    return [w for w in value_words(words)]


def rank(history: History, query: Query, *, k: int = _CANDIDATES) -> list[Candidate]:
    """Candidates for ``query``, best first, with scores (confidence is set by calibration)."""
    intent, words = query_words(query)
    if not intent:
        intent = words
    terms = request_terms(intent) or request_terms(words)
    found = history.candidates(terms, k)
    if not found:
        return []
    top_lexical = found[0][1] or 1.0
    words = tuple(history.conv.canonical(w) for w in words)
    intent = tuple(history.conv.canonical(w) for w in intent)
    request_keys = {w.key for w in words} | {w.norm for w in words}
    rterms = set(request_terms(words))
    content = _content(intent)
    total_weight = sum(_weight(history, w) for w in content) or 1.0
    unseen = [w for w in content if not _seen(history, w)]

    candidates = []
    for index, lexical in found:
        entry = history.entries[index]
        adaptation = adapt(
            entry.example.answer,
            entry.words,
            words,
            history.conv,
            example_intent=entry.intent,
            request_intent=intent,
        )
        features = Features(
            lexical=lexical / top_lexical,
            unfilled=adaptation.unfilled,
            unplaced=adaptation.unplaced,
            untranslated=adaptation.untranslated,
            substitutions=len(adaptation.substitutions),
            unknown=sum(_weight(history, w) for w in unseen if w.norm not in adaptation.used)
            / total_weight,
        )
        cterms = set(command_terms(adaptation.command))
        features.cover_request, features.fit = _cover_request(
            history, content, total_weight, entry, adaptation, cterms
        )
        features.cover_example = _cover_example(history, entry, request_keys, adaptation)
        features.generation = _generation(history, cterms, rterms)
        features.verbatim = float(not adaptation.substitutions)
        candidates.append(Candidate(entry, adaptation.command, adaptation, features))
    same: dict[str, int] = {}
    for c in candidates:
        same[c.command.strip()] = same.get(c.command.strip(), 0) + 1
    for c in candidates:
        c.features.support = math.log(same[c.command.strip()])
        c.score = score(c.features)
    candidates.sort(key=lambda c: -c.score)
    _margins(candidates)
    return candidates


def _seen(history: History, word: Word) -> bool:
    return history.df.get(word.key, 0) > 0 or history.df.get(word.norm, 0) > 0


def _cover_request(
    history: History,
    content: list[Word],
    total: float,
    entry: Entry,
    adaptation: Adaptation,
    cterms: set[str],
) -> tuple[float, float]:
    explained = 0.0
    logs = 0.0
    for w in content:
        weight = _weight(history, w)
        e = _explains(history, w, entry, adaptation, cterms)
        explained += weight * e
        logs += weight * math.log(e + 0.01)
    return explained / total, logs / total


def _explains(
    history: History, w: Word, entry: Entry, adaptation: Adaptation, cterms: set[str]
) -> float:
    """How well the (adapted) example accounts for request word ``w``, in [0, 1]."""
    terms = history.terms_of(entry) if not adaptation.substitutions else entry.terms
    if w.key in terms or w.norm in terms or w.norm in adaptation.used:
        return 1.0
    if find_literal(adaptation.command, w.text):
        return 1.0
    p = history.tm.best(w.key, cterms)
    if w.kind == "word" and any(_related(w.norm, t) for t in terms):
        return max(_RELATED, min(1.0, 2.0 * p))
    if w.kind == "word" and "-" in w.text:
        parts = [q for q in w.norm.split("-") if q]
        hit = sum(1 for q in parts if q in terms or q in cterms)
        if hit:
            return max(hit / len(parts), min(1.0, 2.0 * p))
    return min(1.0, 2.0 * p)


def _cover_example(
    history: History, entry: Entry, request_keys: set[str], adaptation: Adaptation
) -> float:
    total = explained = 0.0
    for u in _content(entry.intent):
        weight = _weight(history, u)
        total += weight
        if u.key in request_keys or u.norm in request_keys or u.norm in adaptation.replaced:
            explained += weight
        elif u.kind == "word" and any(_related(u.norm, k) for k in request_keys):
            explained += weight * _RELATED
    return explained / total if total else 1.0


_RELATED = 0.8
"""How much a related form (``infra``/``infrastructure``, ``expire``/``expiry``) explains."""


def _related(a: str, b: str) -> bool:
    """Two forms of one word: one a prefix of the other, or a long common prefix."""
    if a == b or min(len(a), len(b)) < 4:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 5


def _generation(history: History, cterms: set[str], rterms: set[str]) -> float:
    if not cterms:
        return 0.0
    logs = []
    for a in cterms:
        p = 1.0 if a in rterms else history.tm.generation(a, rterms)
        logs.append(math.log(p + 1e-4))
    return sum(logs) / len(logs)


def score(f: Features) -> float:
    """How well a candidate fits (higher is better); used to order candidates."""
    return sum(WEIGHTS[name] * float(getattr(f, name)) for name in FEATURE_NAMES)


def _margins(candidates: list[Candidate]) -> None:
    """Merge candidates that suggest the same command; margin to the best different one."""
    seen: dict[str, Candidate] = {}
    merged: list[Candidate] = []
    for c in candidates:
        key = c.command.strip()
        if key in seen:
            seen[key].support += 1
            seen[key].others.append(c.entry)
            continue
        seen[key] = c
        merged.append(c)
    if merged:
        near = sum(1 for c in merged if c.score >= merged[0].score - CROWD)
        merged[0].crowd = math.log(near)
    for i, c in enumerate(merged):
        rival = merged[1].score if i == 0 and len(merged) > 1 else merged[0].score
        c.margin = c.score - rival if i == 0 else c.score - merged[0].score
        if i == 0 and len(merged) == 1:
            c.margin = c.score
    candidates[:] = merged
