"""Words of requests and atoms of commands: the units retrieval and adaptation reason about.

A request is split into ``Word``s: plain words (lower-cased and stemmed for matching, hyphenated
names kept whole), and literals with a type (number, quantity, version, hex id, date, timestamp,
time, identifier, path, file name, quoted string, ...), so that a new literal can take the place
of an old one of the same type. A command is split the way a POSIX shell would (operators as
tokens of their own); each token is further split into atoms (alphanumeric runs) for matching.

Only generic English is built in (a stop-word list and a stemmer); everything about a team's
words and tools is learned from its history elsewhere.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

__all__ = [
    "STOP_WORDS",
    "Word",
    "atoms",
    "command_atoms",
    "literal_type",
    "request_words",
    "shell_tokens",
    "stem",
]

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "nor",
        "now",
        "of",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "let",
        "lets",
        "please",
        "me",
        "us",
        "get",
        "need",
        "want",
        "right",
        "currently",
    ]
)
"""Generic English function words and the words that frame a request ("I need", "right now"),
no team or tool names. Particles that change an action (on/off, up/down, in/out as in "scale
up", "turn off") and negations are not in it."""

_STEMMER = Stemmer.Stemmer("english")

_IRREGULAR = {
    form: base
    for base, forms in {
        "arise": "arose arisen",
        "awake": "awoke awoken",
        "begin": "began begun",
        "bite": "bit bitten",
        "blow": "blew blown",
        "break": "broke broken",
        "bring": "brought",
        "build": "built",
        "buy": "bought",
        "catch": "caught",
        "choose": "chose chosen",
        "come": "came",
        "do": "did done",
        "draw": "drew drawn",
        "drive": "drove driven",
        "eat": "ate eaten",
        "feed": "fed",
        "feel": "felt",
        "fight": "fought",
        "fly": "flew flown",
        "forbid": "forbade forbidden",
        "forget": "forgot forgotten",
        "forgive": "forgave forgiven",
        "freeze": "froze frozen",
        "get": "got gotten",
        "give": "gave given",
        "go": "went gone",
        "grow": "grew grown",
        "hang": "hung",
        "have": "had",
        "hear": "heard",
        "hide": "hid hidden",
        "hold": "held",
        "keep": "kept",
        "know": "knew known",
        "lose": "lost",
        "make": "made",
        "mean": "meant",
        "meet": "met",
        "mistake": "mistook mistaken",
        "override": "overrode overridden",
        "overwrite": "overwrote overwritten",
        "pay": "paid",
        "rebuild": "rebuilt",
        "redo": "redid redone",
        "rerun": "reran",
        "ride": "rode ridden",
        "ring": "rang rung",
        "run": "ran",
        "say": "said",
        "see": "seen",
        "seek": "sought",
        "sell": "sold",
        "send": "sent",
        "shake": "shook shaken",
        "shoot": "shot",
        "show": "shown",
        "shrink": "shrank shrunk",
        "sing": "sang sung",
        "sink": "sank sunk",
        "sit": "sat",
        "sleep": "slept",
        "slide": "slid",
        "speak": "spoke spoken",
        "spend": "spent",
        "spin": "spun",
        "stand": "stood",
        "steal": "stole stolen",
        "stick": "stuck",
        "strike": "struck stricken",
        "swear": "swore sworn",
        "sweep": "swept",
        "swim": "swam swum",
        "swing": "swung",
        "take": "took taken",
        "teach": "taught",
        "tear": "tore torn",
        "tell": "told",
        "think": "thought",
        "throw": "threw thrown",
        "understand": "understood",
        "undo": "undid undone",
        "wake": "woke woken",
        "wear": "wore worn",
        "win": "won",
        "withdraw": "withdrew withdrawn",
        "write": "wrote written",
        "rewrite": "rewrote rewritten",
    }.items()
    for form in forms.split()
}
"""Irregular past forms of English verbs and their base ("frozen" → "freeze"), which a stemmer
leaves apart. Forms that are also other words ("found", "left", "saw", "bound") are not in it."""


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    low = word.lower()
    return _STEMMER.stemWord(_IRREGULAR.get(low, low))


_TYPES: list[tuple[str, re.Pattern[str]]] = [
    (
        "timestamp",
        re.compile(
            r"^\d{4}-\d{2}-\d{2}[tT ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:?\d{2})?$"
        ),
    ),
    ("date", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("month", re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")),
    ("time", re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")),
    ("ip", re.compile(r"^\d{1,3}(\.\d{1,3}){3}(/\d+)?(:\d+)?$")),
    ("version", re.compile(r"^[vV]?\d+(\.\d+){1,3}([-+][0-9A-Za-z.-]+)?$")),
    ("percent", re.compile(r"^\d+(\.\d+)?%$")),
    ("number", re.compile(r"^[+-]?\d+$")),
    ("decimal", re.compile(r"^[+-]?\d+\.\d+$")),
    ("quantity", re.compile(r"^[+-]?\d+(\.\d+)?[a-zA-Z]{1,3}$")),
    ("hex", re.compile(r"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}$")),
    ("url", re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)),
    ("hostport", re.compile(r"^[\w.-]+:\d+$")),
    ("path", re.compile(r"^(~|\.{1,2})?/\S*$|^\S+/\S*$")),
    ("glob", re.compile(r"^\S*[*?]\S*$")),
    ("variable", re.compile(r"^\$\{?\w+\}?$")),
    ("option", re.compile(r"^--?[A-Za-z][\w-]*(=\S*)?$")),
    ("filename", re.compile(r"^[\w-]+(\.[A-Za-z0-9]{1,5})+$")),
    ("extension", re.compile(r"^\.[A-Za-z0-9]{1,6}$")),
    ("ident", re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[\w][\w.-]*$")),
]


@lru_cache(maxsize=200_000)
def literal_type(token: str) -> str:
    """The literal type of a token, or ``word`` for an ordinary word."""
    for name, pattern in _TYPES:
        if pattern.match(token):
            return name
    return "word"


@dataclass(frozen=True, slots=True)
class Word:
    """One unit of a request."""

    text: str
    """As written (surrounding punctuation and a possessive ``'s`` removed)."""
    kind: str
    """``word`` or a literal type (see ``literal_type``); ``quoted`` for a quoted string."""
    index: int
    """Position in the request (the n-th unit)."""
    quoted: bool = False

    @property
    def norm(self) -> str:
        return self.text.lower()

    @property
    def key(self) -> str:
        """What matching compares: the stem for words, the lower-cased text for literals."""
        return stem(self.text) if self.kind == "word" and "-" not in self.text else self.norm

    @property
    def is_literal(self) -> bool:
        return self.kind != "word"

    @property
    def parts(self) -> list[tuple[str, str]]:
        """``(part name, text)`` pieces a command may spell instead of the whole literal:
        ``("", whole)`` first, then e.g. the port of ``localhost:8080`` or the number of ``10%``."""
        out = [("", self.text)]
        if self.kind == "hostport":
            host, _, port = self.text.rpartition(":")
            out += [("port", port), ("host", host)]
        elif self.kind == "percent":
            out.append(("number", self.text.rstrip("%")))
        elif self.kind == "date":
            out += [("month", self.text[:7]), ("monthday", self.text[5:])]
            out.append(("monthname", self.text[5:7]))
        elif self.kind == "month":
            out.append(("monthname", self.text[5:]))
        return out

    def part(self, name: str) -> str:
        return dict(self.parts).get(name, self.text)

    @property
    def is_stop(self) -> bool:
        return self.kind == "word" and self.norm in STOP_WORDS


_QUOTED = re.compile(r"\"([^\"\n]{1,200})\"|`([^`\n]{1,200})`|(?<![\w])'([^'\n]{1,200})'(?![\w])")
_STRIP_LEFT = "([{<\"'`,;:!?"
_STRIP_RIGHT = ")]}>\"'`,;:!?."
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")


def _clean(token: str) -> str:
    token = token.strip()
    while token and token[0] in _STRIP_LEFT:
        token = token[1:]
    while token and token[-1] in _STRIP_RIGHT:
        if token.endswith("...") or (token[-1] == "." and token[:-1].endswith("/")):
            token = token.rstrip(".")
            continue
        token = token[:-1]
    if len(token) > 3:
        token = _POSSESSIVE.sub("", token)
    return token


@lru_cache(maxsize=50_000)
def request_words(text: str) -> tuple[Word, ...]:
    """Split a request into words and typed literals, in order."""
    out: list[Word] = []
    pos = 0
    for match in _QUOTED.finditer(text):
        _plain(text[pos : match.start()], out)
        inner = next(g for g in match.groups() if g is not None).strip()
        if inner:
            kind = literal_type(inner) if " " not in inner else "quoted"
            out.append(Word(inner, kind if kind != "word" else "quoted", len(out), quoted=True))
        pos = match.end()
    _plain(text[pos:], out)
    return tuple(out)


_REFUSAL = re.compile(
    r"(?P<lead>^|[,;:.!?]\s*|\b(?:but|and|then|just|please|so)\s+)"
    r"(?:don'?t|don’t|do\s+not|never)\s+(?:(?:just|even|yet|ever|really)\s+)?[A-Za-z][\w-]*"
    r"|\bnot\s+(?:just|only)\s+(?:(?:the|a|an)\s+)?[\w-]+"
    r"|\bbefore\s+(?:i|we|you)\s+[A-Za-z][\w-]*",
    re.IGNORECASE,
)
"""What a request says it does not want now: a refusal that opens a clause and the word after it
("just read it, *don't rotate* anything"), "*not just the APNs* one", "*before we raise* it, show
it". A "not" inside a clause describes, and stays: "files that do not have", "not owned by"."""


_PURPOSE = re.compile(
    r"(?<=\w),?\s+so(?:\s+that)?\s+(?:the|it|we|they|you|i|its|their|our|this|these|those)\b"
    r"[^.;!?]*",
    re.IGNORECASE,
)
"""Why a request asks, not what: "restart search *so the pods reload their config*". A "so" that
opens an order stays: "it is flapping, so put it in maintenance"."""


def _what_is_asked(text: str) -> str:
    """``text`` without what it refuses and without why it asks."""
    return _PURPOSE.sub("", _REFUSAL.sub(lambda m: m.group("lead") or "", text))


_SPLIT = re.compile(r"[\s]+")

_MONTH_NAMES = [
    ("jan", "january"),
    ("feb", "february"),
    ("mar", "march"),
    ("apr", "april"),
    ("may",),
    ("jun", "june"),
    ("jul", "july"),
    ("aug", "august"),
    ("sep", "sept", "september"),
    ("oct", "october"),
    ("nov", "november"),
    ("dec", "december"),
]
"""Each month's names, abbreviations first and its full name last."""
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_MONTH_ALONE = "|".join(names[-1] for names in _MONTH_NAMES if names[-1] != "may")
"""Month names that stand alone as one ("the February CSVs"): not "may", nor an abbreviation."""
_PROSE_DATE = re.compile(
    rf"\b(?:(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})(?:,?\s+(?P<y2>{_YEAR}))?"
    rf"|(?P<m3>{_MONTH}),?\s+(?P<y3>{_YEAR})"
    rf"|(?P<m4>{_MONTH_ALONE}))(?![\w:])",
    re.IGNORECASE,
)
"""A date as prose writes it: "13 May", "March 2024", "June 2, 2024", "February"."""


def _prose_date(match: re.Match[str]) -> tuple[str, str]:
    """The date a ``_PROSE_DATE`` match names as commands write it, and its kind: ``2024-05-13``
    (``date``), ``2024-03`` (``month``), without a year ``05-13`` (``monthday``), or a month
    alone, ``02`` (``monthname``)."""
    g = match.groupdict()
    month = _MONTHS[(g["m1"] or g["m2"] or g["m3"] or g["m4"]).rstrip(".").lower()]
    day = g["d1"] or g["d2"]
    year = g["y1"] or g["y2"] or g["y3"]
    day_text = "" if day is None else f"{int(re.sub(r'[a-z]+$', '', day.lower())):02d}"
    if year and day_text:
        return f"{year}-{month:02d}-{day_text}", "date"
    if year:
        return f"{year}-{month:02d}", "month"
    if day_text:
        return f"{month:02d}-{day_text}", "monthday"
    return f"{month:02d}", "monthname"


def _plain(text: str, out: list[Word]) -> None:
    text = _what_is_asked(text)
    pos = 0
    for match in _PROSE_DATE.finditer(text):
        _tokens(text[pos : match.start()], out)
        out.append(Word(*_prose_date(match), len(out)))
        pos = match.end()
    _tokens(text[pos:], out)


_NUMBER_WORDS = {
    name: str(number)
    for number, name in enumerate(
        (
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ),
        2,
    )
}
"""Numbers prose spells out, as commands write them ("three hosts at a time" → ``3``). Not
"one": it stands for a thing as often as for a count ("the APNs one")."""


def _tokens(text: str, out: list[Word]) -> None:
    for raw in _SPLIT.split(text):
        token = _clean(raw)
        if not token:
            continue
        number = _NUMBER_WORDS.get(token.lower())
        if number is not None:
            out.append(Word(number, "number", len(out)))
            continue
        kind = literal_type(token)
        if kind == "word":
            # "and/or", "files/directories": alternatives, not a path
            parts = [p for p in re.split(r"[/,]", token) if p] if "/" in token else [token]
            for part in parts:
                part = _clean(part)
                if part and re.search(r"[A-Za-z0-9]", part):
                    out.append(Word(part, "word", len(out)))
        elif kind == "path" and re.fullmatch(r"[A-Za-z]+(/[A-Za-z]+)+", token):
            for part in token.split("/"):
                out.append(Word(part, "word", len(out)))
        else:
            out.append(Word(token, kind, len(out)))


_OPERATORS = frozenset(
    ["|", "||", "&&", ";", "&", ">", ">>", "<", "<<", "(", ")", "|&", ";;", "2>", "2>>", "&>", ">&"]
)


@lru_cache(maxsize=50_000)
def shell_tokens(command: str) -> tuple[str, ...]:
    """Tokens as a POSIX shell splits them; lines of a multi-line cell joined with ``;``.

    Comment lines and blank lines are dropped. Unbalanced quotes fall back to whitespace.
    """
    lines = [ln for ln in command.split("\n") if ln.strip() and not ln.strip().startswith("#")]
    text = " ; ".join(lines)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return tuple(lexer)
    except ValueError:
        return tuple(text.split())


_ATOM = re.compile(r"[A-Za-z0-9]+")


def atoms(token: str) -> list[str]:
    """Alphanumeric runs of a token, lower-cased: ``--context=hl-prd-usc1`` → context hl prd usc1."""
    return [a.lower() for a in _ATOM.findall(token)]


@lru_cache(maxsize=50_000)
def command_atoms(command: str) -> tuple[str, ...]:
    """Every atom of every token, plus each option's name (``-name``, ``--since``) whole."""
    out: list[str] = []
    for token in shell_tokens(command):
        if token.startswith("-") and len(token) > 1:
            out.append(token.split("=", 1)[0].lower())
        out.extend(atoms(token))
    return tuple(out)
