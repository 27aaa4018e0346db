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

__all__ = ["COEFFICIENTS", "CONFIDENCE_FEATURES", "THRESHOLD", "confidence", "confidence_vector"]

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
)

CONFIDENCE_FEATURES = (*_BASE, "corpus", *(f"corpus_{name}" for name in _BASE))
"""Each feature of the best candidate, then ``corpus`` (1 − ``History.consistency``) and each
feature again times ``corpus``: how much a piece of evidence is worth depends on whether the
history is a team's consistent runbooks or a corpus of variants."""

COEFFICIENTS: dict[str, float] = {
    "bias": -0.215,
    "cover_request": 0.0,
    "unexplained": -1.234,
    "vague": -0.577,
    "missing": -0.88,
    "cover_example": 1.019,
    "unknown": 0.0,
    "conflict": -1.228,
    "unfilled": 0.0,
    "unplaced": -1.627,
    "guesses": -4.57,
    "substitutions": -0.493,
    "log_share": 0.631,
    "margin": 0.009,
    "same_sentence": 1.826,
    "corpus": 0.0,
    "corpus_cover_request": 0.152,
    "corpus_unexplained": 0.124,
    "corpus_vague": 0.992,
    "corpus_missing": 0.384,
    "corpus_cover_example": -1.447,
    "corpus_unknown": 2.779,
    "corpus_conflict": -0.242,
    "corpus_unfilled": 0.535,
    "corpus_unplaced": 1.038,
    "corpus_guesses": -0.132,
    "corpus_substitutions": -0.546,
    "corpus_log_share": 0.696,
    "corpus_margin": -0.026,
    "corpus_same_sentence": -2.179,
}
"""Logistic coefficients over ``CONFIDENCE_FEATURES`` (fitted once by ``bench/calibrate.py``)."""

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
    ]
    corpus = 1.0 - consistency
    return [*base, corpus, *(corpus * x for x in base)]


def confidence(candidate: Candidate, consistency: float = 1.0) -> float:
    z = COEFFICIENTS["bias"]
    for name, value in zip(
        CONFIDENCE_FEATURES, confidence_vector(candidate, consistency), strict=True
    ):
        z += COEFFICIENTS.get(name, 0.0) * value
    return 1.0 / (1.0 + math.exp(-z))
