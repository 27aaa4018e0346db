"""Calibration: from the best candidate's evidence to a confidence in [0, 1], and when to abstain.

The confidence is a logistic function of the best candidate's features (how much of the request
it explains, how much of its own request the new one asks for, words it cannot place, values it
had to guess), of how clearly it beats the candidates that would suggest something else (its
softmax share and margin under the ranking), and of one property of the history itself: how
often it answers one request in several ways (``History.ambiguity``; a corpus of one-liners
does, a team's runbooks rarely do). Its coefficients were fitted once by ``bench/calibrate.py``
on requests made from training histories only (held-out examples, and examples asked again with
a new literal or a sibling value), never on evaluation answers, and are the same for every team.

``THRESHOLD`` is the one setting: below it the assistant abstains. It is 0.5 because a wrong
suggestion costs the user more than no suggestion (they must read it, doubt it and undo it), so a
suggestion is shown only when it is more likely right than wrong.
"""

from __future__ import annotations

import math

from waypost.learn.ranking import Candidate

__all__ = [
    "COEFFICIENTS",
    "COEFFICIENTS_SEMANTIC",
    "CONFIDENCE_FEATURES",
    "THRESHOLD",
    "confidence",
    "confidence_vector",
]

THRESHOLD = 0.5
"""Abstain below this confidence. Chosen once, from the cost argument above; not per dataset."""

_BASE = (
    "cover_request",
    "unexplained",
    "vague",
    "missing",
    "cover_example",
    "unknown",
    "conflict",
    "unfilled",
    "unplaced",
    "guesses",
    "substitutions",
    "log_share",
    "margin",
    "same_sentence",
    "semantic",
)

_CORPUS = _BASE

CONFIDENCE_FEATURES = (*_BASE, "corpus", *(f"corpus_{name}" for name in _CORPUS))
"""Each feature of the best candidate, then ``corpus`` (1 − ``History.consistency``) and each
feature again times ``corpus``: how much a piece of evidence is worth depends on whether the
history is a team's consistent runbooks or a corpus of variants."""

COEFFICIENTS: dict[str, float] = {
    "bias": 0.902,
    "cover_request": 0.0,
    "unexplained": -0.98,
    "vague": -0.238,
    "missing": -0.476,
    "cover_example": 0.0,
    "unknown": -1.203,
    "conflict": -1.882,
    "unfilled": -1.317,
    "unplaced": -1.894,
    "guesses": -1.495,
    "substitutions": -0.047,
    "log_share": 0.864,
    "margin": 0.23,
    "same_sentence": 1.589,
    "semantic": 0.0,
    "corpus": 0.0,
    "corpus_cover_request": 0.05,
    "corpus_unexplained": 0.096,
    "corpus_vague": 0.854,
    "corpus_missing": 0.317,
    "corpus_cover_example": 0.039,
    "corpus_unknown": 2.735,
    "corpus_conflict": 1.113,
    "corpus_unfilled": 0.957,
    "corpus_unplaced": 1.281,
    "corpus_guesses": -0.142,
    "corpus_substitutions": -0.529,
    "corpus_log_share": 0.788,
    "corpus_margin": 0.005,
    "corpus_same_sentence": -0.627,
    "corpus_semantic": 0.0,
}
"""Logistic coefficients over ``CONFIDENCE_FEATURES`` (fitted once by ``bench/calibrate.py``)."""

COEFFICIENTS_SEMANTIC: dict[str, float] = {
    "bias": 1.246,
    "cover_request": 0.0,
    "unexplained": -0.771,
    "vague": 0.0,
    "missing": -0.25,
    "cover_example": 0.0,
    "unknown": -1.486,
    "conflict": -4.899,
    "unfilled": -1.343,
    "unplaced": -2.014,
    "guesses": -1.52,
    "substitutions": 0.0,
    "log_share": 1.42,
    "margin": 0.136,
    "same_sentence": 1.472,
    "semantic": 0.076,
    "corpus": 0.0,
    "corpus_cover_request": -0.108,
    "corpus_unexplained": 0.14,
    "corpus_vague": 0.814,
    "corpus_missing": 0.032,
    "corpus_cover_example": -0.085,
    "corpus_unknown": 3.408,
    "corpus_conflict": 3.288,
    "corpus_unfilled": 1.104,
    "corpus_unplaced": 1.007,
    "corpus_guesses": -0.239,
    "corpus_substitutions": -0.589,
    "corpus_log_share": 0.538,
    "corpus_margin": -0.017,
    "corpus_same_sentence": -0.437,
    "corpus_semantic": 0.249,
}
"""``COEFFICIENTS`` for a history with embeddings (fitted once by ``bench/calibrate.py``)."""

_MARGIN_CAP = 3.0


def confidence_vector(candidate: Candidate, consistency: float) -> list[float]:
    """``CONFIDENCE_FEATURES`` of a (merged, ranked) candidate in a history."""
    f = candidate.features
    base = [
        f.cover_request,
        math.log1p(f.unexplained),
        math.log1p(f.vague),
        math.log1p(f.missing),
        f.cover_example,
        f.unknown,
        f.conflict,
        float(f.unfilled),
        float(f.unplaced),
        float(f.guesses),
        float(f.substitutions),
        math.log(max(candidate.share, 1e-6)),
        min(candidate.margin, _MARGIN_CAP),
        f.same_sentence,
        f.semantic,
    ]
    corpus = 1.0 - consistency
    named = dict(zip(_BASE, base, strict=True))
    return [*base, corpus, *(corpus * named[name] for name in _CORPUS)]


def confidence(candidate: Candidate, consistency: float = 1.0, semantic: bool = False) -> float:
    """P(the candidate is exactly right); ``semantic``: the history has embeddings."""
    c = COEFFICIENTS_SEMANTIC if semantic else COEFFICIENTS
    z = c["bias"]
    for name, value in zip(
        CONFIDENCE_FEATURES, confidence_vector(candidate, consistency), strict=True
    ):
        z += c.get(name, 0.0) * value
    return 1.0 / (1.0 + math.exp(-z))
