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

Some option values follow a value without spelling it: ``--subscription globex-nonprod`` for both
staging and dev, ``--location westeurope`` for staging only. Where every command of the history
gives an option the same value for one word (and other words give it others), that value
*depends* on the word, and changes with it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from waypost.learn.lexicon import STOP_WORDS, Word

__all__ = [
    "Conventions",
    "Occurrence",
    "find_literal",
    "option_values",
    "raw_tokens",
]

_MIN_SUPPORT = 3
"""A realization needs at least this many examples."""
_MIN_PRECISION = 0.75
"""... and this share of the commands holding the atom must come from requests with the word
(or all of them, and at least two)."""

_MIN_LIFT = 1.25
"""... and the word must be that much likelier with the atom than without it: a word every
request says (a heading all notebooks share) realizes nothing."""

_DEPENDENT_SUPPORT = 2
"""An option's value depends on a word when at least this many commands for requests with the
word give it that value ..."""
_DEPENDENT_PRECISION = 0.8
"""... and this share of them at least."""

_ALNUM = re.compile(r"[A-Za-z0-9]")
_ASSIGNMENT = re.compile(r"^\w+=")
_COMPOUND_WORD = re.compile(r"\w[-_]\w")
_UNIT = re.compile(r"[a-z]{1,3}(?![a-z0-9])")
"""A unit right after a number (``30m``, ``2tb``; the text is lower-cased)."""
_ATOM_SPANS = re.compile(r"[A-Za-z0-9]+")
_COMPOUND_SPANS = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![A-Za-z0-9-])")


@lru_cache(maxsize=65536)
def raw_tokens(command: str) -> tuple[tuple[int, int], ...]:
    """Whitespace-separated spans of ``command``, quotes kept inside their token."""
    return tuple(_raw_tokens(command))


def _raw_tokens(command: str) -> list[tuple[int, int]]:
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


@lru_cache(maxsize=65536)
def argument_spans(command: str) -> tuple[tuple[int, int], ...]:
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
        if first and not _ASSIGNMENT.match(token):
            first = token.endswith((";", "|"))
            continue
        first = token.endswith((";", "|", "&&"))
        skip_to = start
        if token.startswith("-"):
            eq = token.find("=")
            skip_to = start + (eq + 1 if eq >= 0 else len(token))
        if skip_to < end:
            out.append((skip_to, end))
    return tuple(out)


def argument_atoms(command: str) -> list[tuple[int, int]]:
    """Atom spans inside ``argument_spans``, and compounds of atoms joined by hyphens
    (``us-west-2``: a value can be realized by a whole compound whose atoms say nothing alone)."""
    out: list[tuple[int, int]] = []
    for start, end in argument_spans(command):
        for m in _ATOM_SPANS.finditer(command, start, end):
            out.append((m.start(), m.end()))
        for m in _COMPOUND_SPANS.finditer(command, start, end):
            out.append((m.start(), m.end()))
    return out


@lru_cache(maxsize=65536)
def option_values(command: str) -> tuple[tuple[tuple[str, str], int, int], ...]:
    """``((program, option), start, end)`` of each option's value in ``command``: the token after
    ``--option``, or what follows ``=`` in ``--option=value``."""
    out: list[tuple[tuple[str, str], int, int]] = []
    program, option = "", ""
    first, last_end = True, 0
    for start, end in raw_tokens(command):
        if "\n" in command[last_end:start]:
            first = True
        last_end = end
        token = command[start:end]
        if first and _ASSIGNMENT.match(token):
            continue  # FOO=bar before the program
        if first or token in _SEPARATORS:
            first = token in _SEPARATORS or token.endswith((";", "|"))
            program = "" if token in _SEPARATORS else token
            option = ""
            continue
        first = token.endswith((";", "|", "&&"))
        if token.startswith("-"):
            name, eq, value = token.partition("=")
            option = "" if eq else name
            if eq and value:
                out.append(((program, name), start + len(name) + 1, end))
            continue
        if option:
            out.append(((program, option), start, end))
        option = ""
    return tuple(out)


def _boundary_ok(text: str, start: int, end: int, needle: str) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    # "v2.14.0": a literal that starts with a digit may follow a letter
    if before and _ALNUM.match(before) and not (needle[0].isdigit() and before.isalpha()):
        return False
    if not after or not _ALNUM.match(after):
        return True
    if not (needle[-1].isdigit() and after.isalpha()):
        return False
    # "2024-05-14T09:30:00Z": a date, time or version may run into a letter; a bare number
    # only into a unit ("30m", "2TB"), not into an id ("3e7a")
    return not needle.isalnum() or _UNIT.match(text, end) is not None


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


Fillers = tuple[tuple[str, str], ...]
"""The (word, text) filling each hole of one instance of a template."""


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
    if isinstance(words, tuple):
        return list(_value_words(words))
    return _value_words_of(words)


@lru_cache(maxsize=65536)
def _value_words(words: tuple[Word, ...]) -> tuple[Word, ...]:
    return tuple(_value_words_of(words))


def _value_words_of(words: Iterable[Word]) -> list[Word]:
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
    instances: list[tuple[Fillers, int]] = field(default_factory=list)
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
        self.holes: list[frozenset[str]] = []
        """The words seen filling each hole of each template (holes with two or more)."""
        self.holes_of: dict[str, list[int]] = defaultdict(list)
        """Word → the holes it fills (alongside another word)."""
        self._kin: dict[tuple[str, str], bool] = {}
        self.known_atoms: set[str] = set()
        self.values: set[str] = set()
        """Words seen filling a template hole."""
        self._keyed: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        """Option key → (word, value text, token) of values realizing a word by convention."""
        self._rules: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._docs: dict[str, set[int]] = defaultdict(set)
        """Word → the examples whose request says it (to tell alternatives from companions)."""
        self._exclusive: dict[tuple[str, str], bool] = {}
        self._canonical: dict[str, str] = {}
        self._fillings: dict[tuple[str, str], dict[tuple[int, int, str], str]] = {}
        self._by_word: dict[tuple[str, str], dict[str, dict[tuple[int, int], Counter[str]]]] = {}
        self._written: dict[str, list[tuple[tuple[str, str], int, int, str]]] | None = None
        """Word → (template, holes, hole, text) of each place its fillings are known."""
        self._occurrences: dict[tuple[str, tuple[Word, ...]], tuple[Occurrence, ...]] = {}
        self.dependent: dict[tuple[str, str], dict[str, str]] = {}
        """(program, option) → word → the value the option takes for it (see the module)."""
        self.consistent = False
        """The history answers one request on another value with the same command (a team's
        runbooks, not a corpus of variants): there two values of one kind may stand in for each
        other even where no template shows them together (set by ``History.fit``)."""

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
            parts = Counter(p for w in spelled for p in _ATOM_SPANS.findall(w))
            found = Counter(command[a:b].lower() for a, b in argument_atoms(command))
            conv.known_atoms |= {m.group(0).lower() for m in _ATOM_SPANS.finditer(command)}
            conv.atom_count.update(found.keys())
            for a, n in found.items():
                # an atom the request spells out (a word, or a part of one: "checkout" of
                # "checkout-worker") is not a convention, unless it also stands apart from what
                # the request spells (the "can" of wk-can-nbg1 beside the host can-k3s-3), or
                # only starts a word ("can" for "canary")
                if n > parts[a] and not any(s in a for s in spelled):
                    co[a].update(ws)
        total = max(len(examples), 1)
        owners: dict[str, str] = {}
        for atom, counts in co.items():
            n_atom = conv.atom_count[atom]
            if n_atom < 2 or not counts:
                continue
            best = [
                (n / n_atom, n, w)
                for w, n in counts.items()
                if (
                    (n >= _MIN_SUPPORT and n / n_atom >= _MIN_PRECISION) or (n >= 2 and n == n_atom)
                )
                and n / n_atom >= _MIN_LIFT * conv.word_count[w] / total
            ]
            if best:
                owners[atom] = max(best)[2]
        conv._own(
            {a: w for a, w in owners.items() if "-" not in a},
            {a: w for a, w in owners.items() if "-" in a},
            examples,
        )
        for template in conv.templates.values():
            by_hole: dict[int, set[str]] = defaultdict(set)
            for fillers, _ in template.instances:
                for i, (word, _filler) in enumerate(fillers):
                    by_hole[i].add(word)
            for ws in by_hole.values():
                conv.values |= ws
                if len(ws) < 2:
                    continue
                hole = len(conv.holes)
                conv.holes.append(frozenset(ws))
                for w in ws:
                    conv.holes_of[w].append(hole)
        conv._read_dependents(examples, intents)
        return conv

    def _read_dependents(
        self,
        examples: Sequence[tuple[Sequence[Word], str]],
        intents: Sequence[Sequence[Word]] | None,
    ) -> None:
        """Fill ``dependent``: options whose value is the same in (nearly) every command for a
        request with one value word, and differs between such words."""
        seen: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
        said: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        together: dict[tuple[str, str], list[set[str]]] = defaultdict(list)
        for index, (words, command) in enumerate(examples):
            vws = value_words(words)
            values = {w.norm for w in vws if w.norm in self.holes_of}
            if intents is not None:
                values = self._said_in_sentence(values, intents[index])
            if not values:
                continue
            occs = self.occurrences(command, vws)
            for slot, start, end in option_values(command):
                # a value spelling one word ("-n billing") says nothing of the others
                inside = {o.word for o in occs if start <= o.start and o.end <= end}
                text = command[start:end]
                counted = values if not inside else values & inside if len(inside) == 1 else set()
                for w in counted:
                    seen[slot][(w, text)] += 1
                    said[slot][w] += 1
                if counted:
                    together[slot].append(counted)
        for slot, counts in seen.items():
            rule: dict[str, str] = {}
            for (w, text), n in counts.most_common():
                if w in rule:
                    continue
                ok = n >= _DEPENDENT_SUPPORT and n >= _DEPENDENT_PRECISION * said[slot][w]
                rule[w] = text if ok else ""
            rule = self._unconfounded(
                {w: text for w, text in rule.items() if text}, together[slot], said[slot]
            )
            # the value changes along the word's kind: a sibling gives it another value
            varies: set[str] = set()
            for hole in {h for w in rule for h in self.holes_of[w]}:
                members = [w for w in self.holes[hole] if w in rule]
                if len({rule[w] for w in members}) > 1:
                    varies.update(members)
            if varies:
                self.dependent[slot] = {w: rule[w] for w in varies}

    def _unconfounded(
        self, rule: dict[str, str], together: list[set[str]], said: Counter[str]
    ) -> dict[str, str]:
        """``rule`` without the words that only ever came with a word of another kind that
        explains the value as well and was said more often: billing ran only in staging, so
        staging, not billing, decides the subscription."""
        by_word: dict[str, list[int]] = defaultdict(list)
        for i, words in enumerate(together):
            for w in words:
                if w in rule:
                    by_word[w].append(i)
        out = {}
        for w, text in rule.items():
            mine = by_word[w]
            others = {v for v in together[mine[0]] if v in rule and said[v] > said[w]}
            for i in mine[1:]:
                if not others:
                    break
                others &= together[i]
            kinds = set(self.holes_of[w])
            if not any(kinds.isdisjoint(self.holes_of[v]) for v in others):
                out[w] = text
        return out

    def _said_in_sentence(self, values: set[str], intent: Sequence[Word]) -> set[str]:
        """``values`` without those only the context names where the sentence names another
        of their kind: a runbook about a rollout through test, stage and live asks for one of
        them at each step ("Deploy 4.13.0 to stage")."""
        kinds = Counter(h for w in values for h in self.holes_of[w])
        if all(n == 1 for n in kinds.values()):
            return values  # no two of one kind: nothing to choose
        named = {w.norm for w in value_words(intent) if w.norm in values}
        holes = {h for w in named for h in self.holes_of[w]}
        return {w for w in values if w in named or not holes.intersection(self.holes_of[w])}

    def dependents(
        self,
        command: str,
        occs: Sequence[Occurrence],
        changes: dict[str, str],
        kept: set[str],
    ) -> list[tuple[int, int, str]]:
        """Edits to the option values of ``command`` (whose realizations are ``occs``) that
        depend on a word ``changes`` replaces (old → new), unless a word the request keeps
        explains the value as well."""
        edits = []
        for slot, start, end in option_values(command):
            rule = self.dependent.get(slot)
            if rule is None:
                continue
            if any(start <= o.start and o.end <= end and o.word not in changes for o in occs):
                continue  # the value spells a word that stays
            text = command[start:end]
            if any(rule.get(w) == text for w in kept):
                continue
            new = {rule[b] for a, b in changes.items() if rule.get(a) == text and b in rule}
            if len(new) == 1 and text not in new:
                edits.append((start, end, new.pop()))
        return edits

    def _own(
        self,
        atoms: dict[str, str],
        compounds: dict[str, str],
        examples: Sequence[tuple[Sequence[Word], str]],
    ) -> None:
        """Make ``atoms`` realizations of their words and read every command's templates. An
        atom that no other value ever takes the place of realizes nothing that could change
        ("gs" in every bucket URL, owned by the heading of a notebook about uploads) and is
        dropped. Then the compounds none of whose kept atoms realizes anything join (us-west-2,
        but not eks-prd-usw2: there prd and usw2 are carried on their own), and the templates
        are read again, without whatever does not alternate."""
        self._read_templates(atoms, examples)
        alternating = self._alternating()
        kept = {a: w for a, w in atoms.items() if a in alternating}
        joined = {a: w for a, w in compounds.items() if not any(p in kept for p in a.split("-"))}
        owners = {**kept, **joined}
        if owners == atoms:
            return
        self._read_templates(owners, examples)
        if joined:
            alternating = self._alternating()
            if not alternating >= set(owners):
                self._read_templates(
                    {a: w for a, w in owners.items() if a in alternating}, examples
                )

    def _read_templates(
        self, owners: dict[str, str], examples: Sequence[tuple[Sequence[Word], str]]
    ) -> None:
        self.owner = dict(owners)
        self.realizations = defaultdict(set)
        for atom, word in owners.items():
            self.realizations[word].add(atom)
        self.templates.clear()
        self._keyed.clear()
        self._occurrences.clear()
        self._fillings.clear()
        self._by_word.clear()
        self._written = None
        for index, (words, command) in enumerate(examples):
            self._add_templates(index, value_words(words), command)

    def _alternating(self) -> set[str]:
        """Owned atoms standing in a template hole that another word fills elsewhere."""
        words_at: dict[tuple[tuple[str, str], int], set[str]] = defaultdict(set)
        atoms_at: dict[tuple[tuple[str, str], int], set[str]] = defaultdict(set)
        for key, template in self.templates.items():
            for fillers, _ in template.instances:
                for i, (word, text) in enumerate(fillers):
                    words_at[(key, i)].add(word)
                    if self.owner.get(text.lower()) == word:
                        atoms_at[(key, i)].add(text.lower())
        for opt, entries in self._keyed.items():
            for word, value, _ in entries:
                words_at[("=", opt), 0].add(word)
                for m in _ATOM_SPANS.finditer(value):
                    if self.owner.get(m.group(0).lower()) == word:
                        atoms_at[("=", opt), 0].add(m.group(0).lower())
        return {a for at, atoms in atoms_at.items() if len(words_at[at]) > 1 for a in atoms}

    # -- reading a command -------------------------------------------------------------------

    def occurrences(self, command: str, words: Sequence[Word]) -> list[Occurrence]:
        """Realizations in ``command`` of ``words`` (literal) and of any word (by convention).

        Overlaps are resolved in favour of the longer literal.
        """
        key = (command, tuple(words))
        found = self._occurrences.get(key)
        if found is None:
            found = self._occurrences[key] = tuple(self._find_occurrences(command, words))
        return list(found)

    def _find_occurrences(self, command: str, words: Sequence[Word]) -> list[Occurrence]:
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

    def filling(
        self, command: str, occs: Sequence[Occurrence], occ: Occurrence, word: str
    ) -> str | None:
        """How the team's commands wrote ``word`` where ``occ`` stands (the same hole of the
        same template: ``stage`` in ``aks-weu-{}`` for staging, where prod is ``prod``)."""
        prev = ""
        for start, end in raw_tokens(command):
            if start <= occ.start and occ.end <= end:
                inside = [o for o in occs if start <= o.start and o.end <= end]
                key = _template_key(command[start:end], start, inside, prev)
                template = self.templates.get(key)
                if template is None or occ not in inside:
                    return None
                return self._fillings_of(key).get((len(inside), inside.index(occ), word))
            prev = command[start:end]
        return None

    def written_like(self, word: str, text: str, new: str) -> str | None:
        """How the team writes ``new`` in the templates where it writes ``word`` as ``text``
        (``can`` for canary wherever qa is ``qa``): for a place where ``new`` never stood."""
        if self._written is None:
            self._written = defaultdict(list)
            for key in self.templates:
                for (holes, hole, w), t in self._fillings_of(key).items():
                    self._written[w].append((key, holes, hole, t.lower()))
        seen: Counter[str] = Counter()
        for key, holes, hole, t in self._written.get(word, ()):
            if t == text.lower():
                other = self._fillings_of(key).get((holes, hole, new))
                if other:
                    seen[other] += 1
        return seen.most_common(1)[0][0] if seen else None

    def _fillings_of(self, key: tuple[str, str]) -> dict[tuple[int, int, str], str]:
        """(holes, hole, word) → the text most often filling that hole of template ``key``."""
        found = self._fillings.get(key)
        if found is None:
            seen: Counter[tuple[int, int, str, str]] = Counter()
            for fillers, _ in self.templates[key].instances:
                for hole, (word, text) in enumerate(fillers):
                    seen[(len(fillers), hole, word, text)] += 1
            found = {}
            for (holes, hole, word, text), _ in seen.most_common():
                found.setdefault((holes, hole, word), text)
            self._fillings[key] = found
        return found

    # -- relations ---------------------------------------------------------------------------

    def sibling(self, a: str, b: str) -> int:
        """How many templates ``a`` and ``b`` both fill (0: not known to be interchangeable)."""
        holes = self.holes_of.get(a)
        if not holes or b not in self.holes_of:
            return 0
        return sum(1 for h in holes if b in self.holes[h])

    def siblings_of(self, word: str) -> Counter[str]:
        """Every sibling of ``word`` with the number of templates both fill."""
        out: Counter[str] = Counter()
        for h in self.holes_of.get(word, ()):
            out.update(self.holes[h])
        out.pop(word, None)
        return out

    def kin(self, a: str, b: str) -> bool:
        """``a`` and ``b`` share a sibling: values of one kind seen in different templates."""
        key = (a, b) if a < b else (b, a)
        found = self._kin.get(key)
        if found is None:
            ha, hb = self.holes_of.get(a), self.holes_of.get(b)
            found = False
            if ha and hb:
                fa = set().union(*(self.holes[h] for h in ha))
                fb = set().union(*(self.holes[h] for h in hb))
                found = bool((fa & fb) - {a, b})
            self._kin[key] = found
        return found

    def exclusive(self, a: str, b: str) -> bool:
        """``a`` and ``b`` are alternatives: requests (almost) never say both, as with
        environments; "files" and "directories" are companions, not alternatives. One request
        that says both ("to compare with production, show the canary's secret") is allowed."""
        key = (a, b) if a < b else (b, a)
        found = self._exclusive.get(key)
        if found is None:
            da, db = self._docs.get(a), self._docs.get(b)
            if not da or not db:
                found = True
            else:
                both = len(da & db) if len(da) < len(db) else len(db & da)
                found = both <= max(1.0, 0.1 * min(len(da), len(db)))
            self._exclusive[key] = found
        return found

    def knows(self, word: str) -> bool:
        """The word occurs in the history's requests or commands."""
        w = word.lower()
        return w in self.word_count or w in self.known_atoms

    def canonical(self, word: Word) -> Word:
        """An unknown word read as the known value it spells out in full ("production" → "prod");
        not a compound ("batch_size" is not "batch")."""
        if word.kind != "word" or self.knows(word.norm) or _COMPOUND_WORD.search(word.norm):
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

    def _index(self) -> None:
        """Which templates and option keys each word fills (so rules need not scan them all)."""
        self._templates_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._order = {key: i for i, key in enumerate(self.templates)}
        self._option_order = {opt: i for i, opt in enumerate(self._keyed)}
        for key, template in self.templates.items():
            for fillers, _ in template.instances:
                for word, _filler in fillers:
                    self._templates_of[word].add(key)
        self._options_of: dict[str, set[str]] = defaultdict(set)
        for opt, entries in self._keyed.items():
            for word, _, _ in entries:
                self._options_of[word].add(opt)

    def _texts_of(self, key: tuple[str, str]) -> dict[str, dict[tuple[int, int], Counter[str]]]:
        """Word → (holes, hole) → how often each text filled that hole of template ``key``."""
        found = self._by_word.get(key)
        if found is None:
            found = defaultdict(lambda: defaultdict(Counter))
            for fillers, _ in self.templates[key].instances:
                for hole, (w, text) in enumerate(fillers):
                    found[w][(len(fillers), hole)][text] += 1
            self._by_word[key] = found
        return found

    def _derive_rules(self, a: str, b: str) -> list[tuple[str, str]]:
        votes: Counter[tuple[str, str]] = Counter()
        if not hasattr(self, "_templates_of"):
            self._index()
        shared = self._templates_of.get(a, set()) & self._templates_of.get(b, set())
        for key in sorted(shared, key=self._order.__getitem__):
            # each text of a hole once, weighed by how often it was seen there (a large
            # history repeats a few fillings thousands of times)
            texts = self._texts_of(key)
            at_a, at_b = texts.get(a, {}), texts.get(b, {})
            for place in at_a.keys() & at_b.keys():
                for tx, nx in at_a[place].items():
                    for ty, ny in at_b[place].items():
                        if tx.lower() != ty.lower():
                            votes[(tx, ty)] += nx * ny
        options = self._options_of.get(a, set()) & self._options_of.get(b, set())
        for opt in sorted(options, key=self._option_order.__getitem__):
            entries = self._keyed[opt]
            xs = Counter(v for w, v, _ in entries if w == a)
            ys = Counter(v for w, v, _ in entries if w == b)
            for vx, nx in xs.items():
                for vy, ny in ys.items():
                    core = _diff_core(vx, vy)
                    if core is not None:
                        votes[core] += nx * ny
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
