"""Adaptation: turning a past example into the answer for this request, without an LLM.

The example's command is cut into slots: the spans that realize a word of its request, literally
(``checkout`` in ``deploy/checkout``, ``2.14.0`` in ``v2.14.0``) or by convention (``prd`` for
"prod"), and values the request left implicit (``acme-prod`` where it did not say "prod"). A slot
whose word the new request also says is kept. Otherwise it is paired with a word of the new
request that can take its place: a sibling value (same template elsewhere in the history), a new
literal of the same type (a number for a number, a sha for a sha), or an unknown word in the same
place of a sentence that otherwise reads the same. Every pairing is applied at once, on spans of
the original text, so several slots change together, multi-line cells keep all their lines, and
the program and option names are never touched. An option value that follows a replaced value
without spelling it (``--subscription corp-nonprod`` for staging and dev) changes with it, to
what the team's commands give that option for the new value (``Conventions.dependent``).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Container, Sequence
from dataclasses import dataclass, field

from waypost.learn.conventions import (
    Conventions,
    Occurrence,
    argument_spans,
    find_literal,
    value_words,
)
from waypost.learn.lexicon import Word, literal_type

__all__ = ["Adaptation", "adapt"]

_IMPLICIT_SIBLING = 2
"""A value the example left implicit is replaced only by a sibling seen in this many templates."""

_GUESS = 0.55
"""Compatibility of a pairing supported only by word alignment (a new name, say)."""

_KIN = 0.65
"""Compatibility of two values that never filled one template but share a sibling (``ledger`` and
``checkout`` are both services where ``billing`` fills the templates of each)."""

_ALIGNED_SHARE = 0.7
"""Two sentences are aligned word for word when this share of the longer one matches (a word
swapped one for one counts half)."""

_COMPATIBLE = {
    "number": {"number", "percent"},
    "percent": {"percent", "number"},
    "quantity": {"quantity"},
    "decimal": {"decimal", "number"},
    "version": {"version"},
    "hex": {"hex", "ident"},
    "ident": {"ident", "hex"},
    "date": {"date"},
    "month": {"month", "date"},
    "monthday": {"monthday", "date"},
    "monthname": {"monthname", "month", "date"},
    "timestamp": {"timestamp"},
    "time": {"time"},
    "ip": {"ip"},
    "url": {"url"},
    "hostport": {"hostport"},
    "path": {"path"},
    "glob": {"glob"},
    "filename": {"filename"},
    "variable": {"variable"},
    "quoted": {"quoted", "word"},
    "word": {"word", "quoted"},
}


@dataclass(slots=True)
class Adaptation:
    """The adapted command and what it took."""

    command: str
    substitutions: list[tuple[str, str]] = field(default_factory=list)
    """``(old, new)`` value pairs applied."""
    kept: int = 0
    """Slots whose value the request confirmed."""
    unfilled: int = 0
    """Literal slots (ids, numbers, ...) the request gave no value for: kept as they were."""
    unplaced: int = 0
    """Literals of the request that found no slot."""
    untranslated: int = 0
    """Realizations by convention with no rule to carry them to the new value."""
    guesses: int = 0
    """Pairings supported only by word alignment."""
    used: set[str] = field(default_factory=set)
    """Keys of request words that went into the command."""
    replaced: set[str] = field(default_factory=set)
    """Keys of example words that were replaced."""


_SPAN_ATOMS = 4
"""A value spelled in a command is at most this many atoms long (``hooli-prd-3e7a-uploads``)."""
_ATOM = re.compile(r"[A-Za-z0-9]+")


def _value_spans(command: str) -> list[tuple[int, int, str]]:
    """Every run of up to ``_SPAN_ATOMS`` atoms inside an argument of ``command`` (start, end,
    lower-cased text): where a value the request left implicit may be spelled."""
    out = []
    for a, b in argument_spans(command):
        atoms = [(m.start(), m.end()) for m in _ATOM.finditer(command, a, b)]
        for i in range(len(atoms)):
            for j in range(i, min(i + _SPAN_ATOMS, len(atoms))):
                start, end = atoms[i][0], atoms[j][1]
                out.append((start, end, command[start:end].lower()))
    return out


def _inside_token(command: str, start: int, end: int) -> bool:
    """A value spelled inside a larger token (``acme-prod``, ``--env=prod``), not a bare word."""
    before = command[start - 1] if start > 0 else " "
    after = command[end] if end < len(command) else " "
    return not (before.isspace() and after.isspace())


def _same(word: Word) -> str:
    """A form that ignores what does not change a value: a path's trailing slash."""
    text = word.norm
    if word.kind in ("path", "url") and len(text) > 1:
        text = text.rstrip("/")
    elif word.kind == "quantity":
        m = re.match(r"^([+-]?[\d.]+)([a-z])", text)
        if m:
            text = m.group(1) + m.group(2)
    return text


_CASE_KEPT = frozenset({"path", "glob", "filename", "url", "variable"})
"""Literal types whose letters' case is part of the value (files, URLs, variables)."""


def _case_matters(word: Word) -> bool:
    """Whether ``word`` must go into a command exactly as written: quoted, a literal whose case
    is part of it, or a camel-cased name (``googleTestMock``), unlike a word capitalized as prose."""
    text = word.text
    inner_capital = any(c.isupper() for c in text[1:]) and any(c.islower() for c in text)
    return word.quoted or word.kind in _CASE_KEPT or inner_capital


def _cased(new: str, old: str, keep: bool = False) -> str:
    """``new`` written the way ``old`` was: upper-case (a name such as ``TR``), lower-case unless
    ``keep`` (its case is part of it), or as is."""
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old.islower() and not keep:
        return new.lower()
    return new


def _alignment(
    example: Sequence[Word], request: Sequence[Word], values: Container[str] = ()
) -> dict[str, str]:
    """Pairs of words in the same place of two sentences that otherwise read mostly the same.
    A value (one of ``values``) that one sentence adds reads no differently: "the cart-worker
    consumer group on production" reads as "the checkout-worker consumer group"."""
    a = [w.key for w in example]
    b = [w.key for w in request]
    pairs: dict[str, str] = {}
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    opcodes = matcher.get_opcodes()
    same = sum(i2 - i1 for op, i1, i2, _, _ in opcodes if op == "equal")
    swapped = sum(
        i2 - i1 for op, i1, i2, j1, j2 in opcodes if op == "replace" and i2 - i1 == j2 - j1
    )
    added = sum(
        w.norm in values for op, _, _, j1, j2 in opcodes if op == "insert" for w in request[j1:j2]
    )
    length = max(len(a), len(b) - added)
    if not a or not b or (same + swapped / 2) / length < _ALIGNED_SHARE:
        return pairs
    for op, i1, i2, j1, j2 in opcodes:
        if op == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                pairs[example[i1 + k].norm] = request[j1 + k].norm
    return pairs


def _drop_action(aligned: dict[str, str], example: Sequence[Word], request: Sequence[Word]) -> None:
    """Forget the pairing of the two sentences' first words: an imperative request starts with
    its action, and two requests that start alike do not make "Bump" a value that takes the
    place of "scale" (the history may still show two actions alternating: siblings)."""
    if example and request and aligned.get(example[0].norm) == request[0].norm:
        del aligned[example[0].norm]


def _compatibility(
    slot: Word,
    new: Word,
    conv: Conventions,
    aligned: dict[str, str],
    slot_is_literal: bool,
    action: bool = False,
) -> float:
    """How well ``new`` fills ``slot`` (0 when it cannot); ``action``: either word is the
    action a sentence starts with."""
    if new.kind not in _COMPATIBLE.get(slot.kind, {slot.kind}):
        return 0.0
    is_aligned = aligned.get(slot.norm) == new.norm
    bonus = 0.3 if is_aligned else 0.0
    if slot.kind == "quoted" and not new.quoted:
        # a quoted value is replaced by another quoted value, or by a word in its place
        return _GUESS if is_aligned else 0.0
    if slot.kind != "word":
        return 0.8 + bonus
    sib = conv.sibling(slot.norm, new.norm)
    if (sib >= 2 and conv.exclusive(slot.norm, new.norm)) or (sib and is_aligned):
        return 0.7 + min(sib, 3) * 0.1 + bonus
    if not slot_is_literal and not conv.realizations.get(new.norm):
        return 0.0  # a convention can only be carried to a value with known realizations
    if is_aligned and conv.kin(slot.norm, new.norm):
        return _KIN  # both are values of one kind: they share a sibling
    if (
        not action
        and conv.consistent
        and conv.kin(slot.norm, new.norm)
        and conv.exclusive(slot.norm, new.norm)
    ):
        # a team's value of the same kind, where the sentences differ (not an action: "Apply
        # the saved plan" does not become "workspace" for "Switch to the staging workspace")
        return _GUESS
    # a guess: the word stands where the slot stood in a sentence that otherwise reads the same
    return _GUESS if is_aligned else 0.0


def _implied(
    sentences: tuple[list[Word], list[Word]],
    by_word: dict[str, list[Occurrence]],
    r_norms: set[str],
    used_new: set[str],
    conv: Conventions,
) -> dict[str, str]:
    """Values the example's sentence named without its command spelling them, each with the
    value of the same kind the request names instead ("smoke tests against stage" →
    ``--ring=2``, asked "against live"): what option values follow them may change."""
    old = [w.norm for w in sentences[0] if w.norm not in by_word and w.norm not in r_norms]
    new = [w.norm for w in sentences[1] if w.norm not in used_new and w.norm not in by_word]
    out: dict[str, str] = {}
    for a in old:
        kin = [b for b in new if b != a and conv.kin(a, b) and conv.exclusive(a, b)]
        if len(kin) == 1 and kin[0] not in out.values():
            out[a] = kin[0]
    return out


def adapt(
    command: str,
    example_words: Sequence[Word],
    request_words: Sequence[Word],
    conv: Conventions,
    *,
    example_intent: Sequence[Word] = (),
    request_intent: Sequence[Word] = (),
    request_heading: Sequence[Word] = (),
) -> Adaptation:
    """Adapt ``command`` (the answer to ``example_words``) to ``request_words``; the intents are
    the two request sentences alone, ``request_heading`` the headings of the request's notebook."""
    qwords = value_words(example_words)
    rwords = [conv.canonical(w) for w in value_words(request_words)]
    r_norms = _norms(rwords)

    occs = conv.occurrences(command, qwords)
    by_word: dict[str, list[Occurrence]] = defaultdict(list)
    for occ in occs:
        by_word[occ.word].append(occ)
    # what the example said: its request, and the words of its context that its command used
    # (a heading's "uploads" does not make "uploads" old news for a command about thumbs)
    said = [w for w in qwords if w.norm in by_word] + value_words(example_intent or example_words)
    q_norms = _norms(said)
    slot_word: dict[str, Word] = {}
    for w in qwords:
        slot_word.setdefault(w.norm, w)

    new_words = [
        w
        for w in rwords
        if w.norm not in q_norms and w.key not in q_norms and _same(w) not in q_norms
    ]
    # values the example's request left implicit: a sibling of a new word, spelled in the command
    taken = [(o.start, o.end) for o in occs]
    spans_in_arguments: list[tuple[int, int, str]] | None = None
    for new in new_words:
        if not conv.holes_of.get(new.norm):
            continue
        if spans_in_arguments is None:
            spans_in_arguments = _value_spans(command)
        for start, end, sib in spans_in_arguments:
            if sib in q_norms or sib in by_word or sib not in conv.holes_of:
                continue
            if conv.sibling(new.norm, sib) < _IMPLICIT_SIBLING:
                continue
            if literal_type(sib) != new.kind or not conv.exclusive(sib, new.norm):
                continue
            if any(s < end and start < e for s, e in taken):
                continue
            if not _inside_token(command, start, end):
                continue
            by_word[sib].append(Occurrence(sib, start, end, True))
            slot_word.setdefault(sib, Word(sib, new.kind, -1))
            taken.append((start, end))

    result = Adaptation(command)
    written = {w.norm: w for w in rwords if _case_matters(w)}  # the others only follow the command
    edits: list[tuple[int, int, str]] = []
    open_slots = []
    # a value only the request's context says (a heading's "nucleus") gives way to a new one
    # its sentence asks for ("restart feed-ranker"); it is kept if the sentence asks for none
    asked = (
        _norms([conv.canonical(w) for w in value_words(request_intent)])
        if request_intent
        else r_norms
    )
    asked_new = [w for w in new_words if w.norm in asked]
    # and a value its prose mentions in passing gives way to the one its heading names ("# Key
    # rotation on stage" ... "before doing it on live")
    titled = _norms([conv.canonical(w) for w in value_words(request_heading)])
    titled_new = [w for w in new_words if w.norm in titled and w.norm not in asked]
    heard_only: set[str] = set()
    for word in by_word:
        same = word in slot_word and _same(slot_word[word])
        if word in r_norms or same in r_norms:
            passing = titled_new and word not in titled and same not in titled
            if (asked_new or passing) and word not in asked and same not in asked:
                heard_only.add(word)
                open_slots.append(word)
                slot_word.setdefault(word, Word(word, "word", -1))
                continue
            result.kept += 1
            result.used.add(word)
            if word in written and word in slot_word:
                edits.extend(_recased(command, by_word[word], slot_word[word], written[word]))
            continue
        if word not in slot_word:
            slot_word[word] = Word(word, "word", -1)
        open_slots.append(word)

    sentences = (
        value_words(example_intent or example_words),
        value_words(request_intent or request_words),
    )
    aligned = _alignment(*sentences, conv.holes_of)
    _drop_action(aligned, *sentences)
    actions = {s[0].norm for s in sentences if s}
    candidates = []
    for word in open_slots:
        slot = slot_word[word]
        literal = all(o.literal for o in by_word[word])
        for new in [*asked_new, *titled_new] if word in heard_only else new_words:
            action = word in actions or new.norm in actions
            score = _compatibility(slot, new, conv, aligned, literal, action)
            if score >= 0.5:
                candidates.append((score, -abs(slot.index - new.index), word, new))
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    pairs: dict[str, Word] = {}
    used_new: set[str] = set()
    for score, _dist, word, new in candidates:
        if word in pairs or new.norm in used_new:
            continue
        pairs[word] = new
        used_new.add(new.norm)
        if score == _GUESS:
            result.guesses += 1

    # option values that follow a replaced value without spelling it (--location, --subscription)
    kept = {w for w in by_word if w not in pairs} | (q_norms & r_norms)
    changes = {w: n.norm for w, n in pairs.items()}
    changes.update(_implied(sentences, by_word, r_norms, used_new, conv))
    dependent = conv.dependents(command, occs, changes, kept)
    for word in open_slots:
        new = pairs.get(word)
        slot = slot_word[word]
        if new is None:
            if word in heard_only:
                result.kept += 1
                result.used.add(word)
            elif slot.is_literal:
                result.unfilled += 1
            continue
        literal_occs = [o for o in by_word[word] if o.literal]
        convention_occs = [o for o in by_word[word] if not o.literal]
        for occ in literal_occs:
            old_text = command[occ.start : occ.end]
            # where the team writes the new value its own way, that way (prod → stage); not a
            # value whose case is part of it ($root_dir is not $ROOT_DIR)
            own_way = not occ.part and not _case_matters(new)
            known = (
                conv.filling(command, occs, occ, new.norm)
                or conv.written_like(word, old_text, new.norm)
                if own_way
                else None
            )
            text = known or _replacement(old_text, slot, new, occ.part)
            edits.append((occ.start, occ.end, text))
        if convention_occs:
            edits.extend(_carry(command, convention_occs, word, new.norm, conv, result))
        result.substitutions.append((slot.text, new.text))
        result.used.add(new.norm)
        result.replaced.add(word)

    taken: list[tuple[int, int]] | None = None
    for new in new_words:
        if new.is_literal and new.norm not in used_new and not _spelled(command, new):
            if taken is None:
                taken = [(o.start, o.end) for o in occs] + [(a, b) for a, b, _ in edits]
            span = _unstated(command, new, taken)
            if span is None:
                result.unplaced += 1
                continue
            # the one value of its kind the example's command holds and its request never
            # stated ("to midnight" → 2025-06-11T00:00:00.000) is the one this value replaces
            taken.append(span)
            edits.append((*span, new.text))
            result.substitutions.append((command[span[0] : span[1]], new.text))
            result.used.add(new.norm)

    # where two edits overlap, the longer one wins: a rule learned for "stage-2c9d" says more
    # than the word "stage" spelled inside it, and a whole option value (a dependent, first: the
    # sort keeps it ahead of an edit of the same span) more than a word inside it
    edits = [*dependent, *edits]
    edits.sort(key=lambda e: (e[0], -e[1]))
    out, at = [], 0
    for start, end, text in edits:
        if start < at:
            continue
        out.append(command[at:start])
        out.append(text)
        at = end
    out.append(command[at:])
    result.command = "".join(out)
    return result


def _unstated(command: str, new: Word, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The span of the only argument of ``command`` that is a literal of ``new``'s kind and
    that no word of the example accounts for (``taken``), if there is exactly one."""
    kinds = _COMPATIBLE.get(new.kind, {new.kind})
    found = [
        (a, b)
        for a, b in argument_spans(command)
        if literal_type(command[a:b]) in kinds and not any(s < b and a < e for s, e in taken)
    ]
    return found[0] if len(found) == 1 else None


def _spelled(command: str, word: Word) -> bool:
    """The command already spells this value ("100%" where it says ``=100``)."""
    return any(find_literal(command, text) for _, text in word.parts)


def _norms(words: Sequence[Word]) -> set[str]:
    """Every form a value of ``words`` can be matched by."""
    return {w.norm for w in words} | {w.key for w in words} | {_same(w) for w in words}


def _as_asked(old_text: str, slot: Word) -> bool:
    """Whether the command spells the value in the case its request wrote it (``/tmp/new`` for
    "/tmp/new"; not ``apns`` for "APNs": there the team's commands have their own case)."""
    return slot.text in old_text or old_text in slot.text


def _recased(
    command: str, occs: list[Occurrence], slot: Word, new: Word
) -> list[tuple[int, int, str]]:
    """Edits writing a value the request confirms (``new``) the way a replacement would be
    written, where that differs from the command only in case (``/path`` asked as "/Path")."""
    edits = []
    for occ in occs:
        if not occ.literal:
            continue
        old_text = command[occ.start : occ.end]
        text = _replacement(old_text, slot, new, occ.part)
        if text != old_text and text.lower() == old_text.lower():
            edits.append((occ.start, occ.end, text))
    return edits


def _replacement(old_text: str, slot: Word, new: Word, part: str) -> str:
    # a date where the example named only its month ("March 2024") or day ("13 May")
    text = new.part(part or (slot.kind if slot.kind != new.kind else ""))
    if new.kind == "percent" and slot.kind == "number":
        text = text.rstrip("%")
    if slot.kind == "percent" and not old_text.endswith("%"):
        text = text.rstrip("%")
    return _cased(text, old_text, keep=_case_matters(new) and _as_asked(old_text, slot))


def _carry(
    command: str,
    occs: list[Occurrence],
    old: str,
    new: str,
    conv: Conventions,
    result: Adaptation,
) -> list[tuple[int, int, str]]:
    """Edits carrying convention realizations of ``old`` over to ``new`` with learned rules."""
    rules = conv.rules(old, new)
    edits: list[tuple[int, int, str]] = []
    covered: list[tuple[int, int]] = []
    for lhs, rhs in rules:
        for start, end in find_literal(command, lhs):
            if any(s < end and start < e for s, e in covered):
                continue
            if not any(start <= o.start and o.end <= end for o in occs):
                continue
            edits.append((start, end, _cased(rhs, command[start:end])))
            covered.append((start, end))
    for occ in occs:
        if not any(s <= occ.start and occ.end <= e for s, e in covered):
            result.untranslated += 1
    return edits
