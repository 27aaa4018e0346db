"""How a team's words map to its commands, learned from its history (IBM Model 1).

Each example is a parallel pair: the request's terms and the command's atoms. Expectation-
maximisation finds ``t(atom | term)``, the probability that a term "produces" an atom, with a NULL
term absorbing atoms no word explains (``{}``, ``.``). Different words that led to the same
commands end up producing the same atoms, which is how "bounce" comes to mean ``rollout restart``
or "how many" ``wc -l`` for a team that wrote it that way: the equivalences are the team's own.

Vectorised with numpy: one pass over all (example, atom, term) triples per iteration.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["NULL", "TranslationModel"]

NULL = "<null>"


class TranslationModel:
    """``t(atom | term)`` for the terms and atoms of a history."""

    def __init__(self) -> None:
        self.terms: dict[str, int] = {NULL: 0}
        self.atoms: dict[str, int] = {}
        self._by_term: dict[int, dict[int, float]] = {}
        self._by_atom: dict[int, dict[int, float]] = {}
        self.pairs = 0
        self._names: dict[int, str] | None = None

    @classmethod
    def fit(
        cls,
        pairs: Sequence[tuple[Sequence[str], Sequence[str]]],
        *,
        iterations: int = 6,
        max_terms: int = 40,
        max_atoms: int = 60,
    ) -> TranslationModel:
        """Learn from ``(terms, atoms)`` pairs (duplicates within a side are dropped)."""
        model = cls()
        model.pairs = len(pairs)
        w_rows: list[np.ndarray] = []
        a_rows: list[np.ndarray] = []
        g_rows: list[np.ndarray] = []
        group = 0
        for terms, atoms in pairs:
            ts = [0, *(model.terms.setdefault(t, len(model.terms)) for t in dict.fromkeys(terms))]
            ts = ts[: max_terms + 1]
            as_ = [model.atoms.setdefault(a, len(model.atoms)) for a in dict.fromkeys(atoms)]
            as_ = as_[:max_atoms]
            if not as_:
                continue
            w = np.tile(np.asarray(ts, dtype=np.int64), len(as_))
            a = np.repeat(np.asarray(as_, dtype=np.int64), len(ts))
            g = np.repeat(np.arange(group, group + len(as_), dtype=np.int64), len(ts))
            group += len(as_)
            w_rows.append(w)
            a_rows.append(a)
            g_rows.append(g)
        if not w_rows:
            return model
        w_all = np.concatenate(w_rows)
        a_all = np.concatenate(a_rows)
        g_all = np.concatenate(g_rows)
        n_atoms = max(len(model.atoms), 1)
        codes = w_all * n_atoms + a_all
        unique, inverse = np.unique(codes, return_inverse=True)
        u_term = unique // n_atoms
        u_atom = unique % n_atoms
        t = np.ones(len(unique), dtype=np.float64)
        for _ in range(iterations):
            num = t[inverse]
            z = np.bincount(g_all, weights=num, minlength=group)
            c = num / z[g_all]
            counts = np.bincount(inverse, weights=c, minlength=len(unique))
            totals = np.bincount(u_term, weights=counts, minlength=len(model.terms))
            t = counts / np.maximum(totals[u_term], 1e-12)
        keep = t > 1e-3
        for term, atom, p in zip(u_term[keep], u_atom[keep], t[keep], strict=True):
            model._by_term.setdefault(int(term), {})[int(atom)] = float(p)
            model._by_atom.setdefault(int(atom), {})[int(term)] = float(p)
        return model

    def p(self, atom: str, term: str) -> float:
        """``t(atom | term)``; 0 for pairs never seen together."""
        ti = self.terms.get(term)
        ai = self.atoms.get(atom)
        if ti is None or ai is None:
            return 0.0
        return self._by_term.get(ti, {}).get(ai, 0.0)

    def best(self, term: str, atoms: Sequence[str] | set[str]) -> float:
        """The highest ``t(a | term)`` over ``atoms``."""
        return max(self._produced(term, atoms), default=0.0)

    def mass(self, term: str, atoms: Sequence[str] | set[str]) -> float:
        """``sum of t(a | term)`` over ``atoms``: how much of what ``term`` produces is there."""
        return sum(self._produced(term, atoms))

    def _produced(self, term: str, atoms: Sequence[str] | set[str]) -> list[float]:
        """``t(a | term)`` of each of ``atoms`` that ``term`` produces."""
        ti = self.terms.get(term)
        row = self._by_term.get(ti) if ti is not None else None
        if not row:
            return []
        found = (self.atoms.get(atom) for atom in atoms)
        return [row[ai] for ai in found if ai is not None and ai in row]

    def generation(self, atom: str, terms: Sequence[str] | set[str]) -> float:
        """``P(atom | request)`` under Model 1: the mean of ``t(atom | term)`` over terms + NULL."""
        ai = self.atoms.get(atom)
        if ai is None:
            return 0.0
        column = self._by_atom.get(ai, {})
        total = column.get(0, 0.0)
        for term in terms:
            ti = self.terms.get(term)
            if ti is not None:
                total += column.get(ti, 0.0)
        return total / (len(terms) + 1)

    def translations(self, term: str, limit: int = 10) -> list[tuple[str, float]]:
        """The atoms ``term`` most often produces."""
        ti = self.terms.get(term)
        if ti is None:
            return []
        if self._names is None:
            self._names = {i: a for a, i in self.atoms.items()}
        names = self._names
        row = sorted(self._by_term.get(ti, {}).items(), key=lambda kv: -kv[1])[:limit]
        return [(names[a], p) for a, p in row]
