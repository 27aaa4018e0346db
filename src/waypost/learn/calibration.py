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
    "bias": 0.588,
    "cover_request": 0.0,
    "unexplained": -0.859,
    "vague": -0.458,
    "missing": -0.595,
    "cover_example": 0.0,
    "unknown": -0.956,
    "conflict": -1.994,
    "unfilled": -0.769,
    "unplaced": -1.929,
    "guesses": -1.337,
    "substitutions": -0.341,
    "log_share": 0.83,
    "margin": 0.256,
    "same_sentence": 1.69,
    "semantic": 0.0,
    "overlap": 0.353,
    "corpus": 0.0,
    "corpus_cover_request": 0.278,
    "corpus_unexplained": 0.354,
    "corpus_vague": 0.772,
    "corpus_missing": 0.213,
    "corpus_cover_example": -0.223,
    "corpus_unknown": 2.61,
    "corpus_conflict": 0.607,
    "corpus_unfilled": 0.75,
    "corpus_unplaced": 1.825,
    "corpus_guesses": -0.326,
    "corpus_substitutions": -0.446,
    "corpus_log_share": 0.751,
    "corpus_margin": -0.034,
    "corpus_same_sentence": -0.953,
    "corpus_semantic": 0.0,
    "corpus_overlap": -0.014,
}
"""Logistic coefficients over ``CONFIDENCE_FEATURES`` (fitted once by ``bench/calibrate.py``)."""

COEFFICIENTS_SEMANTIC: dict[str, float] = {
    "bias": 1.255,
    "cover_request": 0.0,
    "unexplained": -0.967,
    "vague": -0.752,
    "missing": -0.472,
    "cover_example": 0.0,
    "unknown": -1.326,
    "conflict": -2.466,
    "unfilled": -0.931,
    "unplaced": -2.031,
    "guesses": -1.334,
    "substitutions": -0.501,
    "log_share": 0.791,
    "margin": 0.142,
    "same_sentence": 1.708,
    "semantic": -0.14,
    "overlap": 0.272,
    "corpus": 0.0,
    "corpus_cover_request": -0.242,
    "corpus_unexplained": 0.231,
    "corpus_vague": 1.03,
    "corpus_missing": 0.086,
    "corpus_cover_example": -0.44,
    "corpus_unknown": 3.179,
    "corpus_conflict": 1.234,
    "corpus_unfilled": 1.044,
    "corpus_unplaced": 1.847,
    "corpus_guesses": -0.151,
    "corpus_substitutions": -0.241,
    "corpus_log_share": 0.776,
    "corpus_margin": 0.064,
    "corpus_same_sentence": -1.014,
    "corpus_semantic": 0.52,
    "corpus_overlap": -0.35,
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
