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

What a feature is worth depends on the history. In a team's consistent runbooks, an example that
needs a value the request did not give (``unfilled``: "raise the quota to 2TB" when the request
only asks what the quota is) or that asks for more than the request does (``cover_example``) is
a different action on the same thing. In a corpus of one-liners, descriptions routinely leave
values out and say more than the command. So two weight vectors are fitted, one for each kind of
history, and a history's ``consistency`` mixes them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from waypost.learn.adaptation import Adaptation, adapt
from waypost.learn.conventions import find_literal, value_words
from waypost.learn.history import (
    Entry,
    History,
    command_terms,
    heading_words,
    query_words,
    request_terms,
)
from waypost.learn.lexicon import Word, shell_tokens, stem
from waypost.learn.query import Query

__all__ = [
    "CROWD",
    "FEATURE_NAMES",
    "WEIGHTS",
    "WEIGHTS_SEMANTIC",
    "Candidate",
    "Features",
    "merge_ranked",
    "rank",
    "score",
    "weights_for",
]

_CANDIDATES = 20
_SEMANTIC = 10
"""With embeddings, this many nearest requests by meaning join the lexical candidates."""
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
    guesses: int = 0
    """Substitutions supported only by word alignment (a new name in the place of an old one)."""
    unexplained: int = 0
    """Words of the request that some command of the history spells out (an action such as
    "list", a program, a service) and that this candidate does not explain."""
    vague: int = 0
    """Words of the request that only requests of the history used (no command spells them:
    "show", "check") and that this candidate does not explain."""
    semantic: float = 0.0
    """Cosine similarity of the request and the example's request under the local embedding
    model (0 without one)."""
    missing: int = 0
    """Words of the example's request that its command spells out and this request does not
    ask for: the example does something more, or something else."""
    same_sentence: float = 0.0
    """1 when the example's request and this one say the same words, but for the values the
    adaptation swapped (a known action on another value, as opposed to a near variant)."""
    conflict: float = 0.0
    """Share of the request's weight on words the history knows, that this candidate does not
    explain, and that the history translates into atoms this command lacks ("accessed" where
    the command says ``-mtime``): the request asks for something else."""

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
    "guesses",
    "conflict",
    "same_sentence",
    "unexplained",
    "vague",
    "missing",
    "semantic",
)

WEIGHTS: dict[str, dict[str, float]] = {
    "team": {
        "verbatim": 0.776,
        "support": 0.512,
        "cover_request": 2.521,
        "cover_example": 4.355,
        "generation": 0.186,
        "lexical": 0.708,
        "unfilled": -1.939,
        "unplaced": -1.493,
        "untranslated": 0.0,
        "substitutions": 0.0,
        "unknown": -3.828,
        "fit": -0.115,
        "guesses": -1.765,
        "conflict": 0.0,
        "same_sentence": 0.229,
        "unexplained": -0.442,
        "vague": -0.682,
        "missing": -0.66,
        "semantic": 0.0,
    },
    "corpus": {
        "verbatim": 0.874,
        "support": -0.293,
        "cover_request": 2.297,
        "cover_example": 0.093,
        "generation": 0.613,
        "lexical": 2.496,
        "unfilled": -0.208,
        "unplaced": 0.0,
        "untranslated": -1.218,
        "substitutions": -0.492,
        "unknown": -4.436,
        "fit": 1.036,
        "guesses": 0.0,
        "conflict": -1.672,
        "same_sentence": 2.173,
        "unexplained": 0.0,
        "vague": 0.0,
        "missing": 0.0,
        "semantic": 0.0,
    },
}
"""Linear ranking weights over ``Features`` for a consistent team history and for a corpus
(fitted once by ``bench/calibrate.py``; mixed by ``weights_for``)."""

WEIGHTS_SEMANTIC: dict[str, dict[str, float]] = {
    "team": {
        "verbatim": 0.803,
        "support": 0.516,
        "cover_request": 2.576,
        "cover_example": 4.417,
        "generation": 0.194,
        "lexical": 0.793,
        "unfilled": -1.941,
        "unplaced": -1.558,
        "untranslated": 0.0,
        "substitutions": 0.0,
        "unknown": -3.653,
        "fit": -0.112,
        "guesses": -1.72,
        "conflict": 0.0,
        "same_sentence": 0.184,
        "unexplained": -0.397,
        "vague": -0.694,
        "missing": -0.622,
        "semantic": 0.13,
    },
    "corpus": {
        "verbatim": 0.924,
        "support": -0.252,
        "cover_request": 2.57,
        "cover_example": -0.503,
        "generation": 0.579,
        "lexical": 1.031,
        "unfilled": -0.179,
        "unplaced": -0.035,
        "untranslated": -1.274,
        "substitutions": -0.294,
        "unknown": -4.018,
        "fit": 0.964,
        "guesses": 0.0,
        "conflict": -1.501,
        "same_sentence": 2.136,
        "unexplained": 0.0,
        "vague": 0.0,
        "missing": 0.0,
        "semantic": 4.396,
    },
}
"""``WEIGHTS`` for a history with embeddings (fitted once by ``bench/calibrate.py``)."""


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
    share: float = 1.0
    """Softmax share of this command among the distinct commands ranked (scores as logits)."""
    confidence: float = 0.0
    others: list[Entry] = field(default_factory=list)


def _weight(history: History, word: Word) -> float:
    return history.idf(word.key if word.kind == "word" else word.norm)


def _content(words: tuple[Word, ...] | list[Word]) -> list[Word]:
    return [w for w in value_words(words)]


def rank(
    history: History, query: Query, *, k: int = _CANDIDATES, merge: bool = True
) -> list[Candidate]:
    """Candidates for ``query``, best first, with scores (confidence is set by calibration).

    ``merge=False`` keeps every candidate, also those suggesting the same command (for fitting).
    """
    intent, words = query_words(query)
    if not intent:
        intent = words
    terms = request_terms(intent) or request_terms(words)
    found = history.candidates(terms, k)
    sims = None
    text = query.intent or query.text
    if history.encoder is not None and text:
        # hybrid retrieval: the requests nearest in meaning join the lexical candidates
        sims = history.similarities(text)
        have = {i for i, _ in found}
        found += [(i, 0.0) for i, _ in history.nearest(text, _SEMANTIC) if i not in have]
    if not found:
        return []
    top_lexical = max(score for _, score in found) or 1.0
    words = tuple(history.conv.canonical(w) for w in words)
    intent = tuple(history.conv.canonical(w) for w in intent)
    heading = heading_words(query)
    request_keys = {w.key for w in words} | {w.norm for w in words}
    # "on-call" asks for what "on call" said, "batch_size" what "batch size" did: the parts of
    # a compound count as said
    request_keys |= {part for w in words for part in _phrase_parts(history, w)}
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
            request_heading=heading,
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
        judged = [w for w in content if w.norm in adaptation.used or w not in unseen]
        (
            features.cover_request,
            features.fit,
            features.conflict,
            features.unexplained,
            features.vague,
        ) = _cover_request(history, judged, entry, adaptation, cterms)
        features.guesses = adaptation.guesses
        features.same_sentence = _same_sentence(entry.intent, intent, adaptation)
        features.cover_example, features.missing = _cover_example(
            history, entry, request_keys, adaptation
        )
        features.generation = _generation(history, cterms, rterms)
        features.verbatim = float(not adaptation.substitutions)
        features.semantic = float(sims[index]) if sims is not None else 0.0
        candidates.append(Candidate(entry, adaptation.command, adaptation, features))
    same = Counter(shell_tokens(c.command) for c in candidates)
    weights = weights_for(history.consistency, sims is not None)
    for c in candidates:
        c.features.support = math.log(same[shell_tokens(c.command)])
        c.score = score(c.features, weights)
    candidates.sort(key=lambda c: -c.score)
    return merge_ranked(candidates) if merge else candidates


def _same_sentence(
    example: tuple[Word, ...], request: tuple[Word, ...], adaptation: Adaptation
) -> float:
    swapped = {old.lower(): new.lower() for old, new in adaptation.substitutions}
    new = set(swapped.values())
    a = sorted(swapped.get(w.norm, w.key) for w in value_words(example))
    b = sorted(w.norm if w.norm in new else w.key for w in value_words(request))
    return float(a == b)


def _seen(history: History, word: Word) -> bool:
    return history.df.get(word.key, 0) > 0 or history.df.get(word.norm, 0) > 0


def _cover_request(
    history: History,
    content: list[Word],
    entry: Entry,
    adaptation: Adaptation,
    cterms: set[str],
) -> tuple[float, float, float, int, int]:
    """How much of the request the candidate explains, over the words the history can judge
    (words it has seen, and new values the adaptation placed): a word no request or command of
    the team ever used says nothing for or against a candidate (it counts in ``unknown``)."""
    total = sum(_weight(history, w) for w in content)
    if not total:
        return 0.0, math.log(0.01), 0.0, 0, 0
    explained = 0.0
    unexplained = vague = 0
    logs = 0.0
    conflict = 0.0
    for w in content:
        weight = _weight(history, w)
        e = _explains(history, w, entry, adaptation, cterms)
        explained += weight * e
        logs += weight * math.log(e + 0.01)
        if e < 0.5:
            if history.command_df.get(w.key) or history.command_df.get(w.norm):
                unexplained += 1
            else:
                vague += 1
        if e < 0.5 and w.kind == "word" and _seen(history, w):
            # what the history says the word leads to, and this command lacks; a word seen in
            # fewer than _EVIDENCE requests says less (its translations are a guess)
            evidence = min(1.0, history.df.get(w.key, 0) / _EVIDENCE)
            missing = max(0.0, 1.0 - history.tm.mass(w.key, cterms))
            conflict += weight * (1.0 - e) * missing * evidence
    return explained / total, logs / total, conflict / total, unexplained, vague


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
    parts = _phrase_parts(history, w)
    if parts:
        hit = sum(1 for q in parts if q in terms or q in cterms)
        if hit:
            return max(hit / len(parts), min(1.0, 2.0 * p))
    return min(1.0, 2.0 * p)


def _cover_example(
    history: History, entry: Entry, request_keys: set[str], adaptation: Adaptation
) -> tuple[float, int]:
    total = explained = 0.0
    missing = 0
    spelled = set(entry.command_terms)
    for u in _content(entry.intent):
        weight = _weight(history, u)
        total += weight
        if u.key in request_keys or u.norm in request_keys or u.norm in adaptation.replaced:
            explained += weight
        elif u.kind == "word" and any(_related(u.norm, k) for k in request_keys):
            explained += weight * _RELATED
        elif (parts := _phrase_parts(history, u)) and request_keys.issuperset(parts):
            explained += weight  # "batch size" asks for what "batch_size" said
        elif u.key in spelled or u.norm in spelled:
            missing += 1
    return (explained / total if total else 1.0), missing


_COMPOUND = re.compile(r"[-_]")


def _phrase_parts(history: History, w: Word) -> list[str]:
    """The parts of a compound word that stands for a phrase (``batch_size``: "batch size");
    none for a value that fills a place in the team's commands (the service ``box-sync`` does
    not ask to "sync")."""
    if w.kind != "word" or history.conv.holes_of.get(w.norm):
        return []
    return _parts(w.norm)


def _parts(norm: str) -> list[str]:
    """The stems of a compound word's parts (``on-call``, ``batch_size``); none for a plain one."""
    if "-" not in norm and "_" not in norm:
        return []
    return [stem(p) for p in _COMPOUND.split(norm) if p]


_EVIDENCE = 3
"""Requests a word must occur in for its translations to count fully as a conflict."""

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


def weights_for(consistency: float, semantic: bool = False) -> list[float]:
    """The weight of each of ``FEATURE_NAMES`` in a history of this ``consistency``: the team
    and corpus vectors mixed. ``semantic``: the history has embeddings (``WEIGHTS_SEMANTIC``)."""
    fitted = WEIGHTS_SEMANTIC if semantic else WEIGHTS
    team, corpus = fitted["team"], fitted["corpus"]
    return [
        consistency * team.get(name, 0.0) + (1.0 - consistency) * corpus.get(name, 0.0)
        for name in FEATURE_NAMES
    ]


def score(f: Features, weights: list[float]) -> float:
    """How well a candidate fits (higher is better) under ``weights_for(...)``."""
    return sum(w * float(getattr(f, name)) for w, name in zip(weights, FEATURE_NAMES, strict=True))


def merge_ranked(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates (best first) merged by the command they suggest (the same words to the shell:
    ``-name "*.java"`` is ``-name \\*.java``), with margins and shares."""
    seen: dict[tuple[str, ...], Candidate] = {}
    merged: list[Candidate] = []
    for c in candidates:
        key = shell_tokens(c.command)
        if key in seen:
            seen[key].support += 1
            seen[key].others.append(c.entry)
            continue
        seen[key] = c
        merged.append(c)
    if merged:
        near = sum(1 for c in merged if c.score >= merged[0].score - CROWD)
        merged[0].crowd = math.log(near)
        top = merged[0].score
        z = sum(math.exp(max(c.score - top, -50.0)) for c in merged)
        for c in merged:
            c.share = math.exp(max(c.score - top, -50.0)) / z
    for i, c in enumerate(merged):
        rival = merged[1].score if i == 0 and len(merged) > 1 else merged[0].score
        c.margin = c.score - rival if i == 0 else c.score - merged[0].score
        if i == 0 and len(merged) == 1:
            c.margin = c.score
    return merged
