"""The offline provider: answers from the team's learned examples, never from made-up text."""

from __future__ import annotations

from waypost.ai.provider import Answer, Assistant, Request
from waypost.notebook.serializer import fence_for

__all__ = ["OfflineProvider"]


class OfflineProvider:
    name = "offline"

    def __init__(self, assistant: Assistant | None) -> None:
        self.assistant = assistant

    def answer(self, request: Request) -> Answer:
        if self.assistant is None:
            return Answer(text="", model="none")
        suggestion = self.assistant.suggest(request.cells)
        if suggestion is None:
            return Answer(text="", model="examples")
        blocks = []
        for cell in suggestion.cells:
            fence = fence_for(cell.value)
            blocks.append(f"{fence}{cell.language}\n{cell.value}\n{fence}")
        return Answer(text="\n\n".join(blocks), model="examples", confidence=suggestion.confidence)
