"""Everything learned from a set of examples, ready to answer requests.

``History.fit(examples)`` prepares each example (its request split into words and terms, its
command into atoms), builds the lexical index (BM25 over the request, its context and the
command's atoms, via ``bm25s``), fits the translation model (request terms → command atoms) and
reads the team's conventions. ``candidates()`` is the first, cheap stage of retrieval; ``ranking``
does the rest.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from waypost.learn.adaptation import adapt
from waypost.learn.conventions import Conventions, value_words
from waypost.learn.embeddings import Encoder, embed_one
from waypost.learn.lexicon import STOP_WORDS, Word, atoms, command_atoms, request_words, stem
from waypost.learn.metric import distance
from waypost.learn.query import MARKUP, Query
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


def heading_words(query: Query) -> tuple[Word, ...]:
    """Words of the query's headings, but for its request: what its notebook is about."""
    intent = query.intent
    headings = [
        c.value
        for c in query.cells
        if c.kind == MARKUP and c.value != intent and c.value.startswith("#")
    ]
    return request_words("\n".join(headings)) if headings else ()


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
        self.command_df: Counter[str] = Counter()
        """Term → how many commands spell it (an atom, stemmed like a word, or an option)."""
        for e in entries:
            self.df.update(e.terms)
            self.command_df.update(set(e.command_terms))
        self.n = len(entries)
        groups: dict[str, set[str]] = {}
        for e in entries:
            groups.setdefault(e.example.answer.strip(), set()).update(e.terms)
        self.group_terms: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in groups.items()}
        """Command → the terms of every request that led to it (different words, same command)."""
        self.consistency = 1.0
        """How often this history answers the same request on another value with the same
        command adapted (see ``_consistency``): near 1 for a team's runbooks, low for a corpus
        where different people wrote different one-liners for one description."""
        self.bm25: bm25s.BM25 | None = None
        self.tm = TranslationModel()
        self.conv = Conventions()
        self.base = len(entries)
        """Entries ``[0, base)`` are in ``bm25`` and were fitted; later ones were ``extend``ed."""
        self.tail_bm25: bm25s.BM25 | None = None
        self.dead: frozenset[int] = frozenset()
        """Entries replaced by a newer example with the same key (never candidates)."""
        self.index_of: dict[str, int] = {e.example.key: i for i, e in enumerate(entries)}
        self.encoder: Encoder | None = None
        self.vectors: np.ndarray | None = None
        self.tail_vectors: np.ndarray | None = None
        """Embeddings of the entries ``extend`` added (kept apart: no copy of ``vectors``)."""
        """Unit embeddings of each entry's request (with an encoder), one row per entry."""

    @classmethod
    def fit(
        cls,
        examples: Sequence[Example],
        *,
        previous: History | None = None,
        encoder: Encoder | None = None,
    ) -> History:
        """Fit everything on ``examples``. What a ``previous`` fit prepared for an unchanged
        example (its words, terms and embedding) is reused. With an ``encoder``, each example's
        request is embedded too (``vectors``)."""
        prepared: dict[str, int] = {}
        if previous is not None:
            prepared = {
                e.example.key: i for i, e in enumerate(previous.entries) if i not in previous.dead
            }
        entries = []
        reused: dict[str, np.ndarray] = {}
        for e in examples:
            old = prepared.get(e.key)
            if old is not None and previous is not None and previous.entries[old].example == e:
                entries.append(previous.entries[old])
                if previous.vectors is not None and previous.encoder is encoder:
                    reused[e.query.intent] = previous.vector(old)
            else:
                entries.append(prepare(e))
        history = cls(entries)
        if encoder is not None:
            history.encoder = encoder
            history.vectors = _vectors(encoder, entries, reused)
        history._index()
        recent = history.entries[-_TM_MAX_PAIRS:]
        history.tm = TranslationModel.fit([(list(e.terms), e.command_terms) for e in recent])
        history.conv = Conventions.fit(
            [(e.words, e.example.answer) for e in history.entries],
            [e.intent for e in history.entries],
        )
        history.consistency = _consistency(history)
        history.conv.consistent = history.consistency >= _CONSISTENT
        return history

    def _index(self) -> None:
        self.bm25 = _bm25(self.entries)

    def extend(self, examples: Sequence[Example]) -> History:
        """A history with ``examples`` added (or replacing those with the same key), cheaply:
        the new entries get a small index of their own, counts are updated, and the learned
        translations and conventions stay as fitted (until the next ``fit``)."""
        if not examples:
            return self
        out = History.__new__(History)
        out.__dict__.update(self.__dict__)
        out.entries = list(self.entries)
        out.df = Counter(self.df)
        out.command_df = Counter(self.command_df)
        out.index_of = dict(self.index_of)
        dead = set(self.dead)
        groups: dict[str, set[str]] = {}
        for example in examples:
            entry = prepare(example)
            old = out.index_of.get(example.key)
            if old is not None and old not in dead:
                dead.add(old)
                gone = out.entries[old]
                out.df.subtract(gone.terms)
                out.command_df.subtract(set(gone.command_terms))
            out.index_of[example.key] = len(out.entries)
            out.entries.append(entry)
            out.df.update(entry.terms)
            out.command_df.update(set(entry.command_terms))
            groups.setdefault(example.answer.strip(), set()).update(entry.terms)
        out.dead = frozenset(dead)
        out.n = len(out.entries) - len(dead)
        out.group_terms = dict(self.group_terms)
        for command, terms in groups.items():
            out.group_terms[command] = out.group_terms.get(command, frozenset()) | terms
        out.tail_bm25 = _bm25(out.entries[out.base :])
        if self.encoder is not None and self.vectors is not None:
            added = out.entries[len(self.entries) :]
            fresh = _vectors(self.encoder, added)
            old = self.tail_vectors
            out.tail_vectors = fresh if old is None else np.concatenate([old, fresh])
        return out

    def nearest(self, text: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` entries whose request means the most nearly what ``text`` says, with their
        cosine similarity (empty without an encoder)."""
        if self.encoder is None or self.vectors is None or not len(self.vectors) or not text:
            return []
        sims = self.similarities(text)
        if self.dead:
            sims[list(self.dead)] = -1.0
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(int(i), float(sims[i])) for i in top]

    def similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of ``text`` with every entry's request."""
        assert self.encoder is not None and self.vectors is not None
        query = embed_one(self.encoder, text)
        sims = self.vectors @ query
        if self.tail_vectors is not None:
            sims = np.concatenate([sims, self.tail_vectors @ query])
        return sims

    def vector(self, index: int) -> np.ndarray:
        """The embedding of entry ``index``."""
        assert self.vectors is not None
        if index < len(self.vectors):
            return self.vectors[index]
        assert self.tail_vectors is not None
        return self.tail_vectors[index - len(self.vectors)]

    @property
    def tail(self) -> int:
        """Entries added by ``extend`` since the last fit."""
        return len(self.entries) - self.base

    def terms_of(self, entry: Entry) -> frozenset[str]:
        """The terms of ``entry``'s request and of every other request that ran its command."""
        return self.group_terms.get(entry.example.answer.strip(), entry.terms)

    def idf(self, term: str) -> float:
        n = self.df.get(term, 0)
        return math.log(1.0 + (self.n - n + 0.5) / (n + 0.5))

    def candidates(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` entries with the highest BM25 score for ``terms`` (and their translations)."""
        if not terms:
            return []
        expansion: list[str] = []
        for t in dict.fromkeys(terms):
            expansion.extend(a for a, p in self.tm.translations(t, 3) if p >= 0.2)
        parts = [_scores(self.bm25, terms, expansion)]
        if self.tail_bm25 is not None:
            parts.append(_scores(self.tail_bm25, terms, expansion, self.bm25))
        scores = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if not len(scores):
            return []
        if self.dead:
            scores[list(self.dead)] = 0.0
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


TEXT_VECTORS: dict[str, np.ndarray] | None = None
"""Set to a dict to keep every request's embedding for the process (fitting many histories
over the same examples, as ``bench/calibrate.py`` does); ``None`` in normal use."""


def _vectors(
    encoder: Encoder, entries: Sequence[Entry], known: dict[str, np.ndarray] | None = None
) -> np.ndarray:
    texts = [e.example.query.intent for e in entries]
    if not texts:
        return np.zeros((0, encoder.dimensions), dtype=np.float32)
    cache = dict(known or {})
    if TEXT_VECTORS is not None:
        cache.update((t, TEXT_VECTORS[t]) for t in texts if t in TEXT_VECTORS)
    todo = sorted({t for t in texts if t not in cache})
    if todo:
        for text, vector in zip(todo, encoder.encode(todo), strict=True):
            cache[text] = vector
            if TEXT_VECTORS is not None:
                TEXT_VECTORS[text] = vector
    return np.stack([cache[t] for t in texts])


def _bm25(entries: Sequence[Entry]) -> bm25s.BM25 | None:
    """A BM25 index over the request (twice), its context and the command of each entry."""
    if not entries:
        return None
    docs = []
    for e in entries:
        intent = request_terms(e.intent)
        docs.append([*intent, *intent, *request_terms(e.words), *e.command_terms])
    retriever = bm25s.BM25()
    retriever.index(docs, show_progress=False)
    return retriever


def _scores(
    index: bm25s.BM25 | None,
    terms: Sequence[str],
    expansion: Sequence[str],
    base: bm25s.BM25 | None = None,
) -> np.ndarray:
    """BM25 scores of every document of ``index`` for ``terms``, plus half for ``expansion``
    (the terms' usual translations) that are not among them.

    With a ``base`` index (``index`` holds the documents added since it was built), each term
    weighs what it weighs over both together, so the scores of the two compare."""
    if index is None:
        return np.zeros(0)
    n = int(index.scores["num_docs"])
    vocab = index.vocab_dict
    known = [t for t in terms if t in vocab]
    if not known:
        return np.zeros(n)
    extra = [t for t in dict.fromkeys(expansion) if t in vocab and t not in known]
    if base is None:
        scores = np.asarray(index.get_scores(known), dtype=np.float64)
        if extra:
            scores = scores + 0.5 * np.asarray(index.get_scores(extra), dtype=np.float64)
        return scores
    scores = np.zeros(n)
    total = n + int(base.scores["num_docs"])
    for weight, group in ((1.0, known), (0.5, extra)):
        for term in group:
            own = _idf(n, _df(index, term))
            shared = _idf(total, _df(index, term) + _df(base, term))
            scores += weight * (shared / own) * np.asarray(index.get_scores([term]))
    return scores


def _df(index: bm25s.BM25, term: str) -> int:
    """How many documents of ``index`` hold ``term`` (its column of the score matrix)."""
    column = index.vocab_dict.get(term)
    indptr = index.scores["indptr"]
    if column is None or column + 1 >= len(indptr):
        return 0
    return int(indptr[column + 1] - indptr[column])


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


_CONSISTENT = 0.5
"""A history at least this consistent is a team's runbooks, where values of one kind stand in
for each other (``Conventions.consistent``); below it, a corpus of variants."""
_CONSISTENCY_PAIRS = 200
"""At most this many pairs are tried (spread evenly over the history)."""
_CONSISTENCY_PRIOR = 2.0
"""Pseudo-count of consistent pairs: a history with no repeated action is taken as consistent."""


def _is_value(conv: Conventions, word: Word) -> bool:
    """A literal, or a word that fills the slots of at least two templates with other values."""
    if word.kind != "word":
        return True
    return len(conv.holes_of.get(word.norm, ())) >= 2


def _consistency(history: History) -> float:
    """The history's own answer to "does the same request on another value get the same command,
    adapted?": examples whose requests say the same words but for their values (literals, and
    words seen filling a command's slot) are paired, and each is adapted from the other. The
    share of exact results, shrunk towards 1 by ``_CONSISTENCY_PRIOR``."""
    conv = history.conv
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, e in enumerate(history.entries):
        key = tuple("<v>" if _is_value(conv, w) else w.key for w in value_words(e.intent))
        if key:
            groups[key].append(i)
    pairs = [(a, b) for members in groups.values() for a, b in itertools.pairwise(members)]
    if len(pairs) > _CONSISTENCY_PAIRS:
        step = len(pairs) / _CONSISTENCY_PAIRS
        pairs = [pairs[int(i * step)] for i in range(_CONSISTENCY_PAIRS)]
    right = 0
    for a, b in pairs:
        source, target = history.entries[a], history.entries[b]
        result = adapt(
            source.example.answer,
            source.words,
            target.words,
            conv,
            example_intent=source.intent,
            request_intent=target.intent,
        )
        right += distance(result.command, target.example.answer) == 0.0
    return (right + _CONSISTENCY_PRIOR) / (len(pairs) + _CONSISTENCY_PRIOR)
