"""A team's naming conventions, read off the commands it ran.

Two ways a request's word shows up in a command:

- **literally**, maybe inside a larger token and in another case: ``staging`` in ``acme-staging``,
  ``2.14.0`` in ``v2.14.0``, ``APNs`` in ``apns_key_id``;
- **by convention**, never spelled out: ``prod`` as ``prd``, ``usc1``, ``3e7a`` and ``us-central1``.
  An atom is a *realization* of a word when nearly every command holding the atom came from a
  request with the word (and it happened at least twice).

Replacing every realization in a token with a hole gives the token's *template*
(``--context=hl-{}-{}``, ``pg-{}-{}``, ``-n {}``). Words that fill the same hole of the same
template in different examples are *siblings*: interchangeable values of one kind (environments,
services, buckets) — nothing names the kinds, they are whatever the history shows. Aligning the
fillers of one template under two siblings gives *rewrite rules* (``prd`` → ``stg``,
``prd-3e7a`` → ``stg-81bd``, ``us-central1`` → ``europe-west4``), which carry a command from one
value to another even in a token never seen with the new value.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from waypost.learn.lexicon import STOP_WORDS, Word

__all__ = [
    "Conventions",
    "Occurrence",
    "find_literal",
    "raw_tokens",
]

_MIN_SUPPORT = 3
"""A realization needs at least this many examples."""
_MIN_PRECISION = 0.75
"""... and this share of the commands holding the atom must come from requests with the word
(or all of them, and at least two)."""

_ALNUM = re.compile(r"[A-Za-z0-9]")
_ATOM_SPANS = re.compile(r"[A-Za-z0-9]+")


def raw_tokens(command: str) -> list[tuple[int, int]]:
    """Whitespace-separated spans of ``command``, quotes kept inside their token."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(command)
    while i < n:
        while i < n and command[i].isspace():
            i += 1
        if i >= n:
            break
        start, quote = i, ""
        while i < n:
            ch = command[i]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and quote == '"':
                    i += 1
            elif ch in "\"'":
                quote = ch
            elif ch == "\\":
                i += 1
            elif ch.isspace():
                break
            i += 1
        spans.append((start, min(i, n)))
    return spans


_SEPARATORS = frozenset({"|", "||", "&&", ";", "&", "|&", "(", "$(", "`"})


def argument_spans(command: str) -> list[tuple[int, int]]:
    """Spans of ``command`` that can hold a value: not program names, not option names.

    The program (first word of each pipeline stage or line) and an option's name are never
    values: a command is adapted by changing what it acts on, not what it runs.
    """
    out: list[tuple[int, int]] = []
    first = True
    last_end = 0
    for start, end in raw_tokens(command):
        if "\n" in command[last_end:start]:
            first = True
        last_end = end
        token = command[start:end]
        if token in _SEPARATORS:
            first = True
            continue
        if first and not re.match(r"^\w+=", token):
            first = token.endswith((";", "|"))
            continue
        first = token.endswith((";", "|", "&&"))
        skip_to = start
        if token.startswith("-"):
            eq = token.find("=")
            skip_to = start + (eq + 1 if eq >= 0 else len(token))
        if skip_to < end:
            out.append((skip_to, end))
    return out


def argument_atoms(command: str) -> list[tuple[int, int]]:
    """Atom spans inside ``argument_spans``."""
    out: list[tuple[int, int]] = []
    for start, end in argument_spans(command):
        for m in _ATOM_SPANS.finditer(command, start, end):
            out.append((m.start(), m.end()))
    return out


def _boundary_ok(text: str, start: int, end: int, needle: str) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    # "v2.14.0": a literal that starts with a digit may follow a letter
    if before and _ALNUM.match(before) and not (needle[0].isdigit() and before.isalpha()):
        return False
    return not (after and _ALNUM.match(after))


def find_literal(text: str, needle: str) -> list[tuple[int, int]]:
    """Where ``needle`` occurs in ``text`` (case-insensitive) between atom boundaries."""
    if not needle:
        return []
    low, pat = text.lower(), needle.lower()
    out, at = [], low.find(pat)
    while at >= 0:
        if _boundary_ok(low, at, at + len(pat), pat):
            out.append((at, at + len(pat)))
        at = low.find(pat, at + 1)
    return out


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One realization of a word in a command."""

    word: str
    """The word's normal form (lower case)."""
    start: int
    end: int
    literal: bool
    """Spelled out (``True``) or by convention (``False``)."""
    part: str = ""
    """Which part of the word is spelled (``""``: all of it; see ``Word.parts``)."""


def value_words(words: Iterable[Word]) -> list[Word]:
    """Words of a request that can name a value (no stop words, nothing too short)."""
    out = []
    for w in words:
        if w.is_stop or w.kind == "option" or not _ALNUM.search(w.text):
            continue
        if w.kind == "word" and len(w.text) < 2:
            continue
        out.append(w)
    return out


@dataclass(slots=True)
class _Template:
    instances: list[tuple[tuple[tuple[str, str], ...], int]] = field(default_factory=list)
    """Per instance: the (word, filler) of each hole, and the example index."""


class Conventions:
    """Realizations, templates, siblings and rewrite rules of one history."""

    def __init__(self) -> None:
        self.word_count: Counter[str] = Counter()
        self.atom_count: Counter[str] = Counter()
        self.owner: dict[str, str] = {}
        """Atom → the word it realizes by convention."""
        self.realizations: dict[str, set[str]] = defaultdict(set)
        """Word → atoms that realize it by convention."""
        self.templates: dict[tuple[str, str], _Template] = defaultdict(_Template)
        self.siblings: dict[str, Counter[str]] = defaultdict(Counter)
        self.known_atoms: set[str] = set()
        self.values: set[str] = set()
        """Words seen filling a template hole."""
        self._keyed: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        """Option key → (word, value text, token) of values realizing a word by convention."""
        self._rules: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._docs: dict[str, set[int]] = defaultdict(set)
        self._exclusive: dict[tuple[str, str], bool] = {}
        self._canonical: dict[str, str] = {}
        """Word → the examples whose request says it (to tell alternatives from companions)."""

    @classmethod
    def fit(
        cls,
        examples: Sequence[tuple[Sequence[Word], str]],
        intents: Sequence[Sequence[Word]] | None = None,
    ) -> Conventions:
        """Learn from ``(request words, command)`` pairs; ``intents`` are the request sentences
        alone (without headings), which tell alternatives from companions."""
        conv = cls()
        co: dict[str, Counter[str]] = defaultdict(Counter)
        for index, (words, command) in enumerate(examples):
            vws = value_words(words)
            ws = {w.norm for w in vws if w.kind == "word"}
            conv.word_count.update(ws)
            said = ws if intents is None else {w.norm for w in value_words(intents[index])}
            for w in said:
                conv._docs[w].add(index)
            spelled = {w.norm for w in vws}
            atoms = {command[a:b].lower() for a, b in argument_atoms(command)}
            conv.known_atoms |= {m.group(0).lower() for m in _ATOM_SPANS.finditer(command)}
            conv.atom_count.update(atoms)
            for a in atoms:
                # an atom the request spells out is not a convention
                if not any(a in s or s in a for s in spelled):
                    co[a].update(ws)
        for atom, counts in co.items():
            n_atom = conv.atom_count[atom]
            if n_atom < 2 or not counts:
                continue
            best = [
                (n / n_atom, n, w)
                for w, n in counts.items()
                if (n >= _MIN_SUPPORT and n / n_atom >= _MIN_PRECISION) or (n >= 2 and n == n_atom)
            ]
            if best:
                _, _, word = max(best)
                conv.owner[atom] = word
                conv.realizations[word].add(atom)
        for index, (words, command) in enumerate(examples):
            conv._add_templates(index, value_words(words), command)
        for template in conv.templates.values():
            by_hole: dict[int, set[str]] = defaultdict(set)
            for fillers, _ in template.instances:
                for i, (word, _filler) in enumerate(fillers):
                    by_hole[i].add(word)
            for ws in by_hole.values():
                conv.values |= ws
                for a in ws:
                    for b in ws:
                        if a != b:
                            conv.siblings[a][b] += 1
        return conv

    # -- reading a command -------------------------------------------------------------------

    def occurrences(self, command: str, words: Sequence[Word]) -> list[Occurrence]:
        """Realizations in ``command`` of ``words`` (literal) and of any word (by convention).

        Overlaps are resolved in favour of the longer literal.
        """
        found: list[Occurrence] = []
        regions = argument_spans(command)
        for w in sorted(value_words(words), key=lambda w: -len(w.text)):
            for part, text in w.parts:
                for start, end in find_literal(command, text):
                    if any(a <= start and end <= b for a, b in regions):
                        found.append(Occurrence(w.norm, start, end, True, part))
        for start, end in argument_atoms(command):
            owner = self.owner.get(command[start:end].lower())
            if owner is not None:
                found.append(Occurrence(owner, start, end, False))
        found.sort(key=lambda o: (o.start, -(o.end - o.start), not o.literal))
        kept: list[Occurrence] = []
        for occ in found:
            if kept and occ.start < kept[-1].end:
                continue
            kept.append(occ)
        return kept

    def _add_templates(self, index: int, words: Sequence[Word], command: str) -> None:
        occs = self.occurrences(command, words)
        if not occs:
            return
        spans = raw_tokens(command)
        prev = ""
        for start, end in spans:
            inside = [o for o in occs if start <= o.start and o.end <= end]
            token = command[start:end]
            if inside:
                key = _template_key(token, start, inside, prev)
                fillers = tuple((o.word, command[o.start : o.end]) for o in inside)
                self.templates[key].instances.append((fillers, index))
                if token.startswith("-") and "=" in token:
                    opt, _, value = token.partition("=")
                    if any(not o.literal for o in inside):
                        words_in = {o.word for o in inside if not o.literal}
                        for word in words_in:
                            self._keyed[opt].append((word, value, token))
            prev = token

    # -- relations ---------------------------------------------------------------------------

    def sibling(self, a: str, b: str) -> int:
        """How many templates ``a`` and ``b`` both fill (0: not known to be interchangeable)."""
        return self.siblings.get(a, Counter()).get(b, 0)

    def exclusive(self, a: str, b: str) -> bool:
        """``a`` and ``b`` are alternatives: requests (almost) never say both, as with
        environments; "files" and "directories" are companions, not alternatives."""
        key = (a, b) if a < b else (b, a)
        found = self._exclusive.get(key)
        if found is None:
            da, db = self._docs.get(a), self._docs.get(b)
            if not da or not db:
                found = True
            else:
                both = len(da & db) if len(da) < len(db) else len(db & da)
                found = both <= 0.1 * min(len(da), len(db))
            self._exclusive[key] = found
        return found

    def knows(self, word: str) -> bool:
        """The word occurs in the history's requests or commands."""
        w = word.lower()
        return w in self.word_count or w in self.known_atoms

    def canonical(self, word: Word) -> Word:
        """An unknown word read as the known value it spells out in full ("production" → "prod")."""
        if word.kind != "word" or self.knows(word.norm):
            return word
        best = self._canonical.get(word.norm)
        if best is None:
            best = ""
            for value in self.values | set(self.realizations):
                if len(value) >= 3 and len(value) > len(best) and word.norm.startswith(value):
                    best = value
            self._canonical[word.norm] = best
        return Word(best, word.kind, word.index) if best else word

    def rules(self, a: str, b: str) -> list[tuple[str, str]]:
        """Rewrite rules carrying realizations of ``a`` to ``b``, longest first."""
        key = (a, b)
        if key not in self._rules:
            self._rules[key] = self._derive_rules(a, b)
        return self._rules[key]

    def _derive_rules(self, a: str, b: str) -> list[tuple[str, str]]:
        votes: Counter[tuple[str, str]] = Counter()
        for template in self.templates.values():
            fa = [f for f, _ in template.instances if any(w == a for w, _ in f)]
            fb = [f for f, _ in template.instances if any(w == b for w, _ in f)]
            if not fa or not fb:
                continue
            for x in fa:
                for y in fb:
                    if len(x) != len(y):
                        continue
                    for (wx, tx), (wy, ty) in zip(x, y, strict=True):
                        if wx == a and wy == b and tx.lower() != ty.lower():
                            votes[(tx, ty)] += 1
        for entries in self._keyed.values():
            xs = [(v, t) for w, v, t in entries if w == a]
            ys = [(v, t) for w, v, t in entries if w == b]
            for vx, _ in xs:
                for vy, _ in ys:
                    core = _diff_core(vx, vy)
                    if core is not None:
                        votes[core] += 1
        # one right-hand side per left-hand side: the most voted
        best: dict[str, tuple[int, str]] = {}
        for (lhs, rhs), n in votes.items():
            if lhs not in best or n > best[lhs][0]:
                best[lhs] = (n, rhs)
        return sorted(((lhs, rhs) for lhs, (_, rhs) in best.items()), key=lambda r: -len(r[0]))


def _template_key(
    token: str, start: int, inside: Sequence[Occurrence], prev: str
) -> tuple[str, str]:
    parts, at = [], 0
    for o in inside:
        parts.append(token[at : o.start - start])
        parts.append("{}")
        at = o.end - start
    parts.append(token[at:])
    template = "".join(parts).strip("'\"")
    # a bare value ("checkout" after "-n") is only known by what precedes it
    return (prev if template == "{}" else "", template)


def _diff_core(x: str, y: str) -> tuple[str, str] | None:
    """The differing middle of two values, cut at atom boundaries: us-central1/us-east4 → central1/east4."""
    ax = [(m.start(), m.end()) for m in _ATOM_SPANS.finditer(x)]
    ay = [(m.start(), m.end()) for m in _ATOM_SPANS.finditer(y)]
    if not ax or not ay:
        return None
    i = 0
    while i < min(len(ax), len(ay)) and x[: ax[i][1]].lower() == y[: ay[i][1]].lower():
        i += 1
    j = 0
    while (
        j < min(len(ax), len(ay)) - i and x[ax[-1 - j][0] :].lower() == y[ay[-1 - j][0] :].lower()
    ):
        j += 1
    if i + j >= len(ax) or i + j >= len(ay):
        return None
    lx = x[ax[i][0] : ax[len(ax) - 1 - j][1]]
    ly = y[ay[i][0] : ay[len(ay) - 1 - j][1]]
    if not lx or not ly or lx.lower() == ly.lower():
        return None
    return lx, ly


def stop_word(word: str) -> bool:
    return word.lower() in STOP_WORDS
