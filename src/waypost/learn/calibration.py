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
    "bias": -0.21,
    "cover_request": 0.0,
    "unexplained": -0.255,
    "vague": -0.659,
    "missing": -0.726,
    "cover_example": 0.344,
    "unknown": -0.625,
    "conflict": -1.42,
    "unfilled": -0.205,
    "unplaced": -0.677,
    "guesses": -1.285,
    "substitutions": -0.425,
    "log_share": 0.867,
    "margin": 0.389,
    "same_sentence": 1.051,
    "semantic": 0.0,
    "overlap": 0.991,
    "corpus": 0.0,
    "corpus_cover_request": 0.145,
    "corpus_unexplained": -0.209,
    "corpus_vague": 1.427,
    "corpus_missing": 0.08,
    "corpus_cover_example": -0.364,
    "corpus_unknown": 2.132,
    "corpus_conflict": -1.125,
    "corpus_unfilled": 0.399,
    "corpus_unplaced": 0.48,
    "corpus_guesses": 0.062,
    "corpus_substitutions": -0.484,
    "corpus_log_share": 0.308,
    "corpus_margin": 0.075,
    "corpus_same_sentence": -0.239,
    "corpus_semantic": 0.0,
    "corpus_overlap": -0.33,
}
"""Logistic coefficients over ``CONFIDENCE_FEATURES`` (fitted once by ``bench/calibrate.py``)."""

COEFFICIENTS_SEMANTIC: dict[str, float] = {
    "bias": -0.298,
    "cover_request": 0.0,
    "unexplained": -0.286,
    "vague": -0.733,
    "missing": -0.739,
    "cover_example": 0.194,
    "unknown": -0.607,
    "conflict": -1.343,
    "unfilled": -0.235,
    "unplaced": -0.716,
    "guesses": -1.253,
    "substitutions": -0.348,
    "log_share": 0.85,
    "margin": 0.363,
    "same_sentence": 1.016,
    "semantic": 0.571,
    "overlap": 0.823,
    "corpus": 0.0,
    "corpus_cover_request": 0.118,
    "corpus_unexplained": -0.161,
    "corpus_vague": 1.416,
    "corpus_missing": 0.228,
    "corpus_cover_example": -0.493,
    "corpus_unknown": 2.263,
    "corpus_conflict": -0.472,
    "corpus_unfilled": 0.374,
    "corpus_unplaced": 0.519,
    "corpus_guesses": 0.081,
    "corpus_substitutions": -0.483,
    "corpus_log_share": 0.32,
    "corpus_margin": 0.107,
    "corpus_same_sentence": -0.227,
    "corpus_semantic": 0.017,
    "corpus_overlap": -0.475,
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
