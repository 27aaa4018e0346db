"""Everything learned from a set of examples, ready to answer requests.

``History.fit(examples)`` prepares each example (its request split into words and terms, its
command into atoms), builds the lexical index (BM25 over the request, its context and the
command's atoms, via ``bm25s``), fits the translation model (request terms → command atoms) and
reads the team's conventions. ``candidates()`` is the first, cheap stage of retrieval; ``ranking``
does the rest.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from waypost.learn.conventions import Conventions
from waypost.learn.lexicon import STOP_WORDS, Word, atoms, command_atoms, request_words, stem
from waypost.learn.query import Query
from waypost.learn.records import Example
from waypost.learn.translation import TranslationModel

__all__ = ["Entry", "History", "command_terms", "request_terms"]

_TM_MAX_PAIRS = 60_000
"""The translation model learns from the newest examples up to this many (fitting is linear)."""


def request_terms(words: Sequence[Word]) -> list[str]:
    """Matching terms of request words: stems, hyphenated names whole and in parts, literals
    with their type (``<number>``) and their atoms."""
    out: list[str] = []
    for w in words:
        if w.is_stop:
            continue
        if w.kind == "word":
            if "-" in w.text:
                out.append(w.norm)
                out.extend(stem(p) for p in w.norm.split("-") if p and p not in STOP_WORDS)
            else:
                out.append(w.key)
        else:
            out.append(w.norm)
            out.append(f"<{w.kind}>")
            out.extend(stem(a) for a in atoms(w.text) if len(a) > 1 and not a.isdigit())
    return out


def command_terms(command: str) -> list[str]:
    """Matching terms of a command: its atoms (stemmed like words) and option names."""
    return [a if a.startswith("-") else stem(a) for a in command_atoms(command)]


@dataclass(frozen=True, slots=True)
class Entry:
    """One example, prepared."""

    example: Example
    intent: tuple[Word, ...]
    """Words of the request sentence."""
    words: tuple[Word, ...]
    """Words of the whole query (request and its context)."""
    intent_terms: frozenset[str]
    terms: frozenset[str]
    command_terms: tuple[str, ...]


def prepare(example: Example) -> Entry:
    intent = request_words(example.query.intent)
    context = request_words(example.query.context)
    words = (*context, *intent)
    return Entry(
        example=example,
        intent=intent,
        words=words,
        intent_terms=frozenset(request_terms(intent)),
        terms=frozenset(request_terms(words)),
        command_terms=tuple(command_terms(example.answer)),
    )


def query_words(query: Query) -> tuple[tuple[Word, ...], tuple[Word, ...]]:
    """``(intent words, all words)`` of a query."""
    intent = request_words(query.intent)
    context = request_words(query.context)
    return intent, (*context, *intent)


class History:
    """The fitted state of a set of examples."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.df: Counter[str] = Counter()
        for e in entries:
            self.df.update(e.terms)
        self.n = len(entries)
        groups: dict[str, set[str]] = {}
        for e in entries:
            groups.setdefault(e.example.answer.strip(), set()).update(e.terms)
        self.group_terms: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in groups.items()}
        """Command → the terms of every request that led to it (different words, same command)."""
        self.bm25: bm25s.BM25 | None = None
        self.tm = TranslationModel()
        self.conv = Conventions()

    @classmethod
    def fit(cls, examples: Sequence[Example]) -> History:
        history = cls([prepare(e) for e in examples])
        history._index()
        recent = history.entries[-_TM_MAX_PAIRS:]
        history.tm = TranslationModel.fit([(list(e.terms), e.command_terms) for e in recent])
        history.conv = Conventions.fit(
            [(e.words, e.example.answer) for e in history.entries],
            [e.intent for e in history.entries],
        )
        return history

    def _index(self) -> None:
        if not self.entries:
            self.bm25 = None
            return
        docs = []
        for e in self.entries:
            intent = request_terms(e.intent)
            docs.append([*intent, *intent, *request_terms(e.words), *e.command_terms])
        retriever = bm25s.BM25()
        retriever.index(docs, show_progress=False)
        self.bm25 = retriever

    def terms_of(self, entry: Entry) -> frozenset[str]:
        """The terms of ``entry``'s request and of every other request that ran its command."""
        return self.group_terms.get(entry.example.answer.strip(), entry.terms)

    def idf(self, term: str) -> float:
        n = self.df.get(term, 0)
        return math.log(1.0 + (self.n - n + 0.5) / (n + 0.5))

    def candidates(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` entries with the highest BM25 score for ``terms`` (and their translations)."""
        if self.bm25 is None or not terms:
            return []
        known = [t for t in terms if t in self.bm25.vocab_dict]
        if not known:
            return []
        scores = np.asarray(self.bm25.get_scores(known), dtype=np.float64)
        expansion = []
        for t in set(terms):
            expansion.extend(a for a, p in self.tm.translations(t, 3) if p >= 0.2)
        expansion = [t for t in expansion if t in self.bm25.vocab_dict and t not in known]
        if expansion:
            scores = scores + 0.5 * np.asarray(self.bm25.get_scores(expansion), dtype=np.float64)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
