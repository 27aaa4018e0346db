"""Calibration: from the best candidate's evidence to a confidence in [0, 1], and when to abstain.

The confidence is a logistic function of the best candidate's features (how much of the request
it explains, how much of its own request the new one asks for, how much the two say in common
both ways, words it cannot place, values it had to guess), of how clearly it beats the
candidates that would suggest something else (its softmax share and margin under the ranking),
and of one property of the history itself: how consistently it answers one request on another
value with the same command (``History.consistency``; a team's runbooks do, a corpus of
one-liners written by different people does not). Its coefficients were fitted once by ``bench/calibrate.py``
on requests made from training histories only (held-out examples, and examples asked again with
a new literal or a sibling value), never on evaluation answers, and are the same for every team.

``THRESHOLD`` is the one setting: below it the assistant abstains. It is 0.5 because a wrong
suggestion costs the user more than no suggestion (they must read it, doubt it and undo it), so a
suggestion is shown only when it is more likely right than wrong.
"""

from __future__ import annotations

import math

from waypost.learn.ranking import Candidate, Features

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
    "overlap",
)

_CORPUS = _BASE

CONFIDENCE_FEATURES = (*_BASE, "corpus", *(f"corpus_{name}" for name in _CORPUS))
"""Each feature of the best candidate, then ``corpus`` (1 − ``History.consistency``) and each
feature again times ``corpus``: how much a piece of evidence is worth depends on whether the
history is a team's consistent runbooks or a corpus of variants."""

COEFFICIENTS: dict[str, float] = {
    "bias": 0.044,
    "cover_request": 0.0,
    "unexplained": -0.254,
    "vague": -1.258,
    "missing": -0.891,
    "cover_example": 0.0,
    "unknown": -0.777,
    "conflict": -1.104,
    "unfilled": -0.567,
    "unplaced": -1.22,
    "guesses": -1.828,
    "substitutions": -0.61,
    "log_share": 1.14,
    "margin": 0.421,
    "same_sentence": 1.625,
    "semantic": 0.0,
    "overlap": 1.254,
    "corpus": 0.0,
    "corpus_cover_request": 0.131,
    "corpus_unexplained": -0.165,
    "corpus_vague": 2.428,
    "corpus_missing": 0.159,
    "corpus_cover_example": -0.509,
    "corpus_unknown": 2.83,
    "corpus_conflict": -1.776,
    "corpus_unfilled": 0.811,
    "corpus_unplaced": 1.104,
    "corpus_guesses": 0.643,
    "corpus_substitutions": -0.561,
    "corpus_log_share": 0.265,
    "corpus_margin": -0.005,
    "corpus_same_sentence": -0.576,
    "corpus_semantic": 0.0,
    "corpus_overlap": -0.253,
}
"""Logistic coefficients over ``CONFIDENCE_FEATURES`` (fitted once by ``bench/calibrate.py``)."""

COEFFICIENTS_SEMANTIC: dict[str, float] = {
    "bias": 0.413,
    "cover_request": 0.0,
    "unexplained": -0.325,
    "vague": -1.367,
    "missing": -0.942,
    "cover_example": 0.0,
    "unknown": -0.937,
    "conflict": -1.18,
    "unfilled": -0.604,
    "unplaced": -1.261,
    "guesses": -1.833,
    "substitutions": -0.605,
    "log_share": 1.156,
    "margin": 0.372,
    "same_sentence": 1.657,
    "semantic": -0.075,
    "overlap": 1.041,
    "corpus": 0.0,
    "corpus_cover_request": 0.064,
    "corpus_unexplained": -0.115,
    "corpus_vague": 2.318,
    "corpus_missing": 0.377,
    "corpus_cover_example": -0.853,
    "corpus_unknown": 2.951,
    "corpus_conflict": -0.697,
    "corpus_unfilled": 0.766,
    "corpus_unplaced": 1.163,
    "corpus_guesses": 0.725,
    "corpus_substitutions": -0.538,
    "corpus_log_share": 0.314,
    "corpus_margin": 0.054,
    "corpus_same_sentence": -0.543,
    "corpus_semantic": 0.516,
    "corpus_overlap": -0.62,
}
"""``COEFFICIENTS`` for a history with embeddings (fitted once by ``bench/calibrate.py``)."""

_MARGIN_CAP = 3.0


def _overlap(f: Features) -> float:
    """How much the two requests say in common, both ways: the harmonic mean of the share of the
    whole request the example explains (unknown words included) and the share of the example's
    request the new one asks for. One shared word in two otherwise unrelated requests is low
    here, however well that word is explained."""
    a = f.cover_request * (1.0 - f.unknown)
    b = f.cover_example
    return 2 * a * b / (a + b) if a + b > 0 else 0.0


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
        _overlap(f),
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
