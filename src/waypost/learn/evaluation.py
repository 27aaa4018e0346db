"""``waypost eval``: learn a dataset's history through the real event path, then predict.

Layout (``shared/eval/README.md``): ``train/*.md`` notebooks stand for the event log; each code
cell becomes an ``execute`` event (source ``eval-train``, the cells before it as context) written
with ``JsonlEventSink`` to a scratch log and learned by a ``Learner``, exactly as in real use.
``eval/*.md`` end with the expected cell; the rest is the context, and the first line names the
kind of the case. Every prediction is logged as a ``generate`` event with source ``eval`` in the
same log, and the learner is run again afterwards to show it learned nothing from them.

The verbatim baseline (the nearest example by BM25 over its request, returned unchanged, never
abstaining) runs in the same pass. Replay mode walks the training notebooks in time order instead:
predict each cell from what came before, then learn it.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import bm25s
import numpy as np

from waypost.errors import ProjectError
from waypost.learn import events as ev
from waypost.learn.assistant import OfflineAssistant, SuggestedCell, Suggestion
from waypost.learn.calibration import THRESHOLD
from waypost.learn.eventlog import JsonlEventLog
from waypost.learn.history import request_terms
from waypost.learn.learner import Learner
from waypost.learn.lexicon import request_words
from waypost.learn.metric import distance
from waypost.learn.query import CODE, MARKUP, Query, build_query, cell_kind
from waypost.learn.records import EVAL_SOURCE
from waypost.learn.store import ExampleStore, MemoryStore
from waypost.notebook import new_ulid, parse

__all__ = [
    "TRAIN_SOURCE",
    "Case",
    "CaseResult",
    "Dataset",
    "EvalReport",
    "KindTotals",
    "Provider",
    "VerbatimAssistant",
    "evaluate",
    "load_dataset",
    "replay",
]

TRAIN_SOURCE = "eval-train"
_KIND = re.compile(r"<!--\s*kind:\s*([A-Za-z]+)\s*-->")
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class Provider(Protocol):
    name: str

    def suggest_query(self, query: Query) -> Suggestion | None: ...


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    kind: str
    cells: tuple[Any, ...]
    """The cells before the expected one."""
    expected: str


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    train: tuple[tuple[str, tuple[Any, ...]], ...]
    """``(file name, cells)`` of each training notebook, in file-name order."""
    cases: tuple[Case, ...]


@dataclass(slots=True)
class CaseResult:
    file: str
    kind: str
    expected: str
    prediction: str | None
    distance: float
    exact: bool
    confidence: float | None
    latency_ms: float
    example: str | None = None
    """The request of the example the prediction came from."""


@dataclass(slots=True)
class KindTotals:
    kind: str
    cases: int = 0
    exact: int = 0
    answered: int = 0
    distance_sum: float = 0.0

    @property
    def mean_distance(self) -> float:
        return self.distance_sum / self.cases if self.cases else 0.0

    @property
    def precision(self) -> float | None:
        return self.exact / self.answered if self.answered else None

    def add(self, r: CaseResult) -> None:
        self.cases += 1
        self.exact += int(r.exact)
        self.answered += int(r.prediction is not None)
        self.distance_sum += r.distance

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "cases": self.cases,
            "exact": self.exact,
            "answered": self.answered,
            "mean_distance": round(self.mean_distance, 4),
            "precision": None if self.precision is None else round(self.precision, 4),
        }


@dataclass(slots=True)
class EvalReport:
    dataset: str
    provider: str
    results: list[CaseResult] = field(default_factory=list)
    baseline: list[CaseResult] = field(default_factory=list)
    examples: int = 0
    """Examples learned from the training notebooks."""
    learned_from_eval: int = 0
    """Examples learned from the eval traffic (always 0)."""
    threshold: float = THRESHOLD
    mode: str = "eval"

    @staticmethod
    def totals(results: Sequence[CaseResult]) -> dict[str, KindTotals]:
        by_kind: dict[str, KindTotals] = {}
        for r in results:
            by_kind.setdefault(r.kind, KindTotals(r.kind)).add(r)
        order = "FCSPMDNR"
        out = dict(sorted(by_kind.items(), key=lambda kv: (order.find(kv[0]) % 99, kv[0])))
        all_ = KindTotals("all")
        for r in results:
            all_.add(r)
        out["all"] = all_
        return out

    def to_json(self) -> dict[str, Any]:
        def rows(results: list[CaseResult]) -> list[dict[str, Any]]:
            return [
                {
                    "file": r.file,
                    "kind": r.kind,
                    "prediction": r.prediction,
                    "expected": r.expected,
                    "distance": round(r.distance, 4),
                    "exact": r.exact,
                    "confidence": None if r.confidence is None else round(r.confidence, 4),
                    "latency_ms": round(r.latency_ms, 2),
                    "example": r.example,
                }
                for r in results
            ]

        return {
            "dataset": self.dataset,
            "mode": self.mode,
            "provider": self.provider,
            "threshold": self.threshold,
            "examples": self.examples,
            "learned_from_eval": self.learned_from_eval,
            "cases": rows(self.results),
            "totals": [t.to_json() for t in self.totals(self.results).values()],
            "baseline": {
                "provider": "verbatim",
                "cases": rows(self.baseline),
                "totals": [t.to_json() for t in self.totals(self.baseline).values()],
            },
        }


def _read(path: Path) -> tuple[Any, ...]:
    try:
        return tuple(parse(path.read_bytes()).cells)
    except OSError as exc:
        raise ProjectError(f"cannot read: {exc.strerror}", where=str(path)) from exc


def load_dataset(directory: Path) -> Dataset:
    """Read ``train/*.md`` and ``eval/*.md`` of a dataset folder."""
    directory = Path(directory)
    if not (directory / "train").is_dir():
        raise ProjectError("not an eval dataset (no train/ folder)", where=str(directory))
    train = tuple((p.name, _read(p)) for p in sorted((directory / "train").glob("*.md")))
    cases = []
    for path in sorted((directory / "eval").glob("*.md")) if (directory / "eval").is_dir() else []:
        cells = _read(path)
        code = [i for i, c in enumerate(cells) if cell_kind(c) == CODE]
        if not code:
            continue
        last = code[-1]
        head = next((c.value for c in cells if cell_kind(c) == MARKUP), "")
        m = _KIND.search(head)
        kind = m.group(1).upper() if m else "?"
        cases.append(Case(path.name, kind, cells[:last], cells[last].value))
    return Dataset(directory.name, train, tuple(cases))


def _context(cells: Sequence[Any]) -> list[ev.ContextCell]:
    return [
        ev.ContextCell(kind=cell_kind(c), value=c.value, language=getattr(c, "language", "") or "")
        for c in cells
    ]


def train_events(dataset: Dataset, *, start: int = 0) -> list[ev.Event]:
    """One ``execute`` event per training code cell, in order, timestamps one second apart."""
    out = []
    tick = start
    for name, cells in dataset.train:
        for i, cell in enumerate(cells):
            if cell_kind(cell) != CODE:
                continue
            tick += 1
            event = ev.execute(
                cell_id=str(cell.id or f"{name}#{i}"),
                command=cell.value,
                language=cell.language or "sh",
                exit_code=0,
                duration_ms=0.0,
                context=_context(cells[:i]),
                notebook=name,
                source=TRAIN_SOURCE,
            )
            ts = (_EPOCH + timedelta(seconds=tick)).isoformat(timespec="milliseconds")
            out.append(ev.Event(event.type, event.data, ts=ts.replace("+00:00", "Z")))
    return out


class VerbatimAssistant:
    """The baseline: the nearest example by BM25 over requests, unchanged, always answering."""

    name = "verbatim"

    def __init__(self, store: ExampleStore) -> None:
        examples, _ = store.since(0)
        self.examples = examples
        self._bm25: bm25s.BM25 | None = None
        docs = [request_terms(request_words(e.query.text)) or ["<empty>"] for e in examples]
        if docs:
            self._bm25 = bm25s.BM25()
            self._bm25.index(docs, show_progress=False)

    def suggest_query(self, query: Query) -> Suggestion | None:
        start = time.perf_counter()
        if self._bm25 is None:
            return None
        terms = [t for t in request_terms(request_words(query.text)) if t in self._bm25.vocab_dict]
        if not terms:
            return None
        scores = np.asarray(self._bm25.get_scores(terms))
        best = int(np.argmax(scores))
        example = self.examples[best]
        return Suggestion(
            cells=(SuggestedCell(example.answer, example.language),),
            confidence=1.0,
            examples=(example,),
            query=query,
            latency_ms=(time.perf_counter() - start) * 1000.0,
        )


def _predict(provider: Provider, case: Case, sink: ev.EventSink | None) -> CaseResult:
    query = build_query(case.cells)
    start = time.perf_counter()
    suggestion = provider.suggest_query(query)
    latency = (time.perf_counter() - start) * 1000.0
    prediction = suggestion.cells[0].value if suggestion else None
    if sink is not None and suggestion is not None:
        sink.emit(
            ev.generate(
                trace_id=new_ulid(),
                context=_context(case.cells),
                context_hash="",
                provider=provider.name,
                model="",
                latency_ms=latency,
                cells=[ev.GeneratedCell(new_ulid(), CODE, prediction or "", "sh")],
                confidence=suggestion.confidence,
                source=EVAL_SOURCE,
            )
        )
    d = distance(prediction, case.expected)
    return CaseResult(
        file=case.name,
        kind=case.kind,
        expected=case.expected,
        prediction=prediction,
        distance=d,
        exact=prediction is not None and d == 0.0,
        confidence=suggestion.confidence if suggestion else None,
        latency_ms=latency,
        example=suggestion.examples[0].query.intent if suggestion else None,
    )


def _providers(name: str, store: ExampleStore) -> Provider:
    if name == "offline":
        return OfflineAssistant(store)
    if name == "verbatim":
        return VerbatimAssistant(store)
    from waypost.errors import UsageError

    raise UsageError(f"unknown provider {name!r}; expected offline or verbatim", where="--provider")


def evaluate(
    directory: Path,
    *,
    provider: str = "offline",
    progress: Callable[[CaseResult], None] | None = None,
) -> EvalReport:
    """Learn ``train/`` through events, predict every ``eval/`` case, with the baseline."""
    dataset = load_dataset(directory)
    with tempfile.TemporaryDirectory(prefix="waypost-eval-") as tmp:
        log_dir = Path(tmp) / "events"
        sink = ev.JsonlEventSink(log_dir)
        for event in train_events(dataset):
            sink.emit(event)
        store = MemoryStore()
        learner = Learner(JsonlEventLog(log_dir), store)
        learner.poll()
        report = EvalReport(dataset.name, provider, examples=len(store))
        main = _providers(provider, store)
        if isinstance(main, OfflineAssistant):
            main.refresh()
        baseline = VerbatimAssistant(store)
        for case in dataset.cases:
            result = _predict(main, case, sink)
            report.results.append(result)
            report.baseline.append(_predict(baseline, case, None))
            if progress is not None:
                progress(result)
        report.learned_from_eval = learner.poll().examples
    return report


def replay(
    directory: Path,
    *,
    limit: int | None = None,
    progress: Callable[[CaseResult], None] | None = None,
) -> EvalReport:
    """Walk the training notebooks in time order: predict each code cell, then learn it."""
    dataset = load_dataset(directory)
    store = MemoryStore()
    from waypost.learn.eventlog import MemoryEventLog

    log = MemoryEventLog()
    learner = Learner(log, store)
    assistant = OfflineAssistant(store)
    report = EvalReport(dataset.name, "offline", mode="replay")
    events = train_events(dataset)
    for n, event in enumerate(events):
        if limit is not None and n >= limit:
            break
        context = event.data["context"]
        case = Case(
            f"{event.data['notebook']}#{n}",
            "R",
            tuple(ev.ContextCell(**c) for c in context),
            event.data["command"],
        )
        if build_query(case.cells).cells:
            result = _predict(assistant, case, None)
            report.results.append(result)
            if progress is not None:
                progress(result)
        log.emit(event)
        learner.poll()
    report.examples = len(store)
    return report
