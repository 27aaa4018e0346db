"""Providers: who writes the next cell. One small interface; the config picks the implementation.

    offline            the team's learned examples, no network (the default)
    openai             OpenAI's chat completions API
    anthropic          Anthropic's messages API
    openai-compatible  any server speaking OpenAI's API at ``ai.base_url`` (Ollama, vLLM, llama.cpp)

Every provider answers in Markdown; ``completion.py`` turns that into cells.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from waypost.ai.prompt import Prompt
from waypost.config import AIConfig
from waypost.errors import ConfigError, ProviderError
from waypost.learn import Example as LearnedExample
from waypost.learn import Query, Suggestion
from waypost.learn.events import ContextCell

__all__ = [
    "Answer",
    "Assistant",
    "Provider",
    "Request",
    "api_key",
    "make_provider",
]


@dataclass(frozen=True, slots=True)
class Request:
    prompt: Prompt
    """For language models: instructions, examples and the rendered context."""
    cells: tuple[ContextCell, ...]
    """The context as cells (masked), for providers that work on cells rather than text."""


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    """Markdown with the proposed cells; empty when the provider has nothing to propose."""
    model: str
    usage: dict[str, int] = field(default_factory=dict)
    confidence: float | None = None


class Provider(Protocol):
    name: str

    def answer(self, request: Request) -> Answer: ...


class Assistant(Protocol):
    """The learned side of the AI (``waypost.learn.OfflineAssistant``): offline suggestions, and
    the nearest learned examples for LLM prompts."""

    def suggest(self, cells_before: Sequence[ContextCell]) -> Suggestion | None: ...

    def retrieve(self, query: Query | str, k: int = 3) -> list[LearnedExample]: ...


def api_key(config: AIConfig, default_env: str, env: Mapping[str, str] | None = None) -> str:
    """The API key from ``ai.api_key_file``, ``ai.api_key_env`` or the provider's usual variable."""
    env = os.environ if env is None else env
    if config.api_key_file:
        try:
            return Path(config.api_key_file).expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"cannot read the API key file: {exc.strerror}", where=config.api_key_file
            ) from None
    return env.get(config.api_key_env or default_env, "").strip()


def make_provider(
    config: AIConfig,
    *,
    assistant: Assistant | None = None,
    env: Mapping[str, str] | None = None,
) -> Provider:
    """The provider ``config.provider`` names, ready to answer."""
    if config.provider == "offline":
        from waypost.ai.offline import OfflineProvider

        return OfflineProvider(assistant)
    if config.provider in ("openai", "openai-compatible"):
        from waypost.ai.openai_chat import OpenAIProvider

        return OpenAIProvider(config, env=env)
    if config.provider == "anthropic":
        from waypost.ai.anthropic_messages import AnthropicProvider

        return AnthropicProvider(config, env=env)
    raise ConfigError(f"unknown provider {config.provider!r}", where="ai.provider")


def missing_key(provider: str, variable: str) -> ProviderError:
    return ProviderError(
        f"no API key: set {variable} (or ai.api_key_env / ai.api_key_file in the config)",
        kind="missing_key",
        provider=provider,
    )
