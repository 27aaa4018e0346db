"""The evaluation distance: Foyle's argument-level edit distance, normalized to [0, 1].

As specified in ``shared/eval/README.md``: split the cell as a POSIX shell would (operators are
tokens; the non-blank, non-comment lines of a multi-line cell are joined with ``;``); a token
``--key=value`` or ``-k=value`` is a named argument, every other token (the program too) is
positional. D = Levenshtein distance over whole positional tokens + 1 per named key on one side
only + 1 per shared key whose value differs; normalized by max(#positional) + #distinct keys. No
prediction scores 1.
"""

from __future__ import annotations

import re

from waypost.learn.lexicon import shell_tokens

__all__ = ["distance", "split_arguments"]

_NAMED = re.compile(r"^(--?[^=\s]+)=(.*)$", re.S)


def split_arguments(cell: str) -> tuple[list[str], dict[str, str]]:
    """``(positional tokens, named arguments)`` of a cell."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for token in shell_tokens(cell):
        m = _NAMED.match(token)
        if m:
            named[m.group(1)] = m.group(2)
        else:
            positional.append(token)
    return positional, named


def _levenshtein(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def distance(predicted: str | None, expected: str) -> float:
    """0 for an exact match, 1 for no prediction (or nothing in common)."""
    if predicted is None:
        return 1.0
    pa, na = split_arguments(predicted)
    pb, nb = split_arguments(expected)
    d = _levenshtein(pa, pb)
    keys = set(na) | set(nb)
    for key in keys:
        if (key in na) != (key in nb) or na[key] != nb[key]:
            d += 1
    denominator = max(len(pa), len(pb)) + len(keys)
    return d / denominator if denominator else 0.0
