"""The AI that proposes the next cells: context, prompts, providers, parsing, generation events.

Uses ``waypost.notebook`` for cells and ``waypost.learn`` for events and learned examples. Must never
import the runner, the server or the CLI.
"""

from waypost.ai.completion import SUGGESTION, cells_from_answer
from waypost.ai.context import (
    Context,
    build_context,
    context_cells,
    is_suggestion,
    to_context_cell,
    to_context_cells,
)
from waypost.ai.generator import Generation, Generator
from waypost.ai.prompt import Example, Prompt, build_prompt
from waypost.ai.provider import (
    Answer,
    Assistant,
    Provider,
    Request,
    make_provider,
)

__all__ = [
    "SUGGESTION",
    "Answer",
    "Assistant",
    "Context",
    "Example",
    "Generation",
    "Generator",
    "Prompt",
    "Provider",
    "Request",
    "build_context",
    "build_prompt",
    "cells_from_answer",
    "context_cells",
    "is_suggestion",
    "make_provider",
    "to_context_cell",
    "to_context_cells",
]
