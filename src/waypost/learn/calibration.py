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

from waypost.learn.ranking import Candidate

__all__ = ["COEFFICIENTS", "THRESHOLD", "confidence"]

THRESHOLD = 0.5
"""Abstain below this confidence. Chosen once, from the cost argument above; not per dataset."""

COEFFICIENTS: dict[str, float] = {
    "bias": -6.0,
    "cover_request": 5.0,
    "cover_example": 2.5,
    "generation": 0.15,
    "margin": 1.5,
    "unfilled": -1.5,
    "unplaced": -1.0,
    "untranslated": -1.5,
    "unknown": -2.0,
    "support": 0.3,
}
"""Logistic coefficients over the features of ``ranking.Features`` (fitted once; see module)."""


def confidence(candidate: Candidate) -> float:
    f = candidate.features
    c = COEFFICIENTS
    z = (
        c["bias"]
        + c["cover_request"] * f.cover_request
        + c["cover_example"] * f.cover_example
        + c["generation"] * f.generation
        + c["margin"] * min(candidate.margin, 2.0)
        + c["unfilled"] * f.unfilled
        + c["unplaced"] * f.unplaced
        + c["untranslated"] * f.untranslated
        + c["unknown"] * f.unknown
        + c["support"] * math.log(candidate.support)
    )
    return 1.0 / (1.0 + math.exp(-z))
