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
    "bias": -0.298,
    "verbatim": -0.919,
    "support": 1.242,
    "cover_request": -2.041,
    "cover_example": 0.802,
    "generation": 0.371,
    "lexical": 0.774,
    "unfilled": 0.038,
    "unplaced": 0.214,
    "untranslated": 0.818,
    "substitutions": -0.002,
    "unknown": -3.025,
    "fit": 2.06,
    "margin": 0.52,
}
"""Logistic coefficients over ``ranking.FEATURE_NAMES`` plus the margin (capped at 3) and the
(fitted once by ``bench/calibrate.py``; see the module docstring)."""


def confidence(candidate: Candidate) -> float:
    c = COEFFICIENTS
    z = c["bias"]
    for name in FEATURE_NAMES:
        z += c[name] * float(getattr(candidate.features, name))
    z += c["margin"] * min(candidate.margin, 3.0)
    return 1.0 / (1.0 + math.exp(-z))
