"""Calibration: from a candidate's features to a confidence in [0, 1], and when to abstain.

The confidence is a logistic function of the best candidate's features and its margin over the
best candidate that would suggest something else. Its coefficients were fitted once, by
cross-validation on training histories only (each held-out example predicted from the rest; see
``bench/RESULTS.md``), never on evaluation answers, and are the same for every team.

``THRESHOLD`` is the one setting: below it the assistant abstains. It is 0.5 because a wrong
suggestion costs the user more than no suggestion (they must read it, doubt it and undo it), so a
suggestion is shown only when it is more likely right than wrong.
"""

from __future__ import annotations

import math

from waypost.learn.ranking import FEATURE_NAMES, Candidate

__all__ = ["COEFFICIENTS", "THRESHOLD", "confidence"]

THRESHOLD = 0.5
"""Abstain below this confidence. Chosen once, from the cost argument above; not per dataset."""

COEFFICIENTS: dict[str, float] = {
    "bias": -4.652,
    "verbatim": 2.139,
    "support": 0.16,
    "cover_request": 1.011,
    "cover_example": 2.703,
    "generation": 0.0,
    "lexical": 0.784,
    "unfilled": 0.0,
    "unplaced": 0.0,
    "untranslated": 0.0,
    "substitutions": -0.453,
    "unknown": 0.0,
    "fit": 0.0,
    "margin": 0.249,
    "crowd": -0.861,
}
"""Logistic coefficients over ``ranking.FEATURE_NAMES`` plus the margin (capped at 3) and the
(fitted once by ``bench/calibrate.py``; see the module docstring)."""


def confidence(candidate: Candidate) -> float:
    c = COEFFICIENTS
    z = c["bias"]
    for name in FEATURE_NAMES:
        z += c[name] * float(getattr(candidate.features, name))
    z += c["margin"] * min(candidate.margin, 3.0)
    z += c["crowd"] * candidate.crowd
    return 1.0 / (1.0 + math.exp(-z))
