"""Generate the next cells of a notebook, and log what was proposed so learning can follow it up."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from waypost.ai.completion import cells_from_answer
from waypost.ai.context import Context, build_context
from waypost.ai.prompt import Example, build_prompt
from waypost.ai.provider import Assistant, Provider, Request
from waypost.config import AIConfig
from waypost.errors import UsageError
from waypost.learn import Example as LearnedExample
from waypost.learn import build_query, events
from waypost.learn.events import EventSink, GeneratedCell
from waypost.masking import Redactor
from waypost.notebook import Cell, new_ulid
from waypost.notebook.serializer import fence_for

__all__ = ["Generation", "Generator"]


@dataclass(frozen=True, slots=True)
class Generation:
    cells: list[Cell]
    """The proposed cells (new ids, marked as suggestions); empty when there is nothing to propose."""
    trace_id: str
    provider: str
    model: str
    latency_ms: float
    usage: dict[str, int] = field(default_factory=dict)
    confidence: float | None = None
    context: Context | None = None


class Generator:
    """Builds the context, asks the provider, parses the answer, logs a ``generate`` event."""

    def __init__(
        self,
        provider: Provider,
        config: AIConfig,
        *,
        sink: EventSink | None = None,
        assistant: Assistant | None = None,
        env: Mapping[str, str] | None = None,
        observers: Sequence[Callable[[Generation], None]] = (),
    ) -> None:
        """``observers`` see every generation (a server's metrics, say); they must not raise."""
        self.provider = provider
        self.config = config
        self.sink = sink
        self.assistant = assistant
        self.env = env
        self.observers = list(observers)

    def generate(
        self,
        cells: Sequence[Cell],
        selected: int,
        *,
        env: Mapping[str, str] | None = None,
        notebook: str = "",
        source: str = "",
        log: bool = True,
    ) -> Generation:
        """Propose the cells that follow ``cells[selected]``.

        With ``log=False`` nothing is logged yet: a caller that may drop the answer (a newer
        context superseded it) calls ``record`` only for what it shows.
        """
        if not cells:
            raise UsageError("the notebook is empty: write what you want to do first")
        if not 0 <= selected < len(cells):
            raise UsageError(f"cell {selected} does not exist (the notebook has {len(cells)})")
        started = time.perf_counter()
        secrets_from = (
            env if env is not None else (self.env if self.env is not None else os.environ)
        )
        context = build_context(
            cells,
            selected,
            budget=self.config.budget,
            unit=self.config.budget_unit,
            env=secrets_from,
        )
        examples = self._examples(context, secrets_from)
        request = Request(prompt=build_prompt(context.text, examples), cells=context.cells)
        answer = self.provider.answer(request)
        proposed = cells_from_answer(answer.text)
        latency = (time.perf_counter() - started) * 1000
        generation = Generation(
            cells=proposed,
            trace_id=new_ulid(),
            provider=self.provider.name,
            model=answer.model,
            latency_ms=latency,
            usage=answer.usage,
            confidence=answer.confidence,
            context=context,
        )
        if log:
            self.record(generation, notebook=notebook, source=source)
        for observe in self.observers:
            observe(generation)
        return generation

    def _examples(self, context: Context, env: Mapping[str, str]) -> list[Example]:
        if self.assistant is None or self.provider.name == "offline" or self.config.examples <= 0:
            return []
        found = self.assistant.retrieve(build_query(list(context.cells)), self.config.examples)
        redact = Redactor(env)
        return [Example(redact(_request_text(e)), redact(_answer_text(e))) for e in found]

    def record(self, generation: Generation, *, notebook: str = "", source: str = "") -> None:
        """Log the ``generate`` event of a generation that was shown to someone."""
        if self.sink is None or generation.context is None:
            return
        self.sink.emit(
            events.generate(
                trace_id=generation.trace_id,
                context=list(generation.context.cells),
                context_hash=generation.context.hash,
                provider=generation.provider,
                model=generation.model,
                latency_ms=generation.latency_ms,
                usage=generation.usage,
                cells=[
                    GeneratedCell(
                        id=c.id or "",
                        kind="code" if c.is_code else "markup",
                        value=c.value,
                        language=c.language,
                    )
                    for c in generation.cells
                ],
                notebook=notebook,
                confidence=generation.confidence,
                source=source,
            )
        )


def _request_text(example: LearnedExample) -> str:
    return "\n\n".join(cell.value for cell in example.query.cells)


def _answer_text(example: LearnedExample) -> str:
    fence = fence_for(example.answer)
    return f"{fence}{example.language or 'sh'}\n{example.answer}\n{fence}"
