"""Anthropic's messages API."""

from __future__ import annotations

from collections.abc import Mapping

from waypost.ai.errors import translate
from waypost.ai.provider import Answer, Request, api_key, missing_key
from waypost.config import AIConfig
from waypost.errors import ProviderError

__all__ = ["AnthropicProvider"]

DEFAULT_MODEL = "claude-3-5-haiku-latest"


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, config: AIConfig, *, env: Mapping[str, str] | None = None) -> None:
        import anthropic

        key = api_key(config, "ANTHROPIC_API_KEY", env)
        if not key:
            raise missing_key(self.name, config.api_key_env or "ANTHROPIC_API_KEY")
        self.config = config
        self.model = config.model or DEFAULT_MODEL
        self.client = anthropic.Anthropic(
            api_key=key,
            base_url=config.base_url or None,
            timeout=config.timeout,
            max_retries=config.max_retries,
        )

    def answer(self, request: Request) -> Answer:
        try:
            response = self.client.messages.create(
                model=self.model,
                system=request.prompt.system,
                messages=[{"role": "user", "content": request.prompt.user}],
                max_tokens=self.config.max_tokens,
            )
        except Exception as exc:
            raise translate(exc, self.name, self.config.timeout, self.config.base_url) from exc
        blocks = getattr(response, "content", None)
        if blocks is None:
            raise ProviderError(
                "malformed answer: no content", kind="malformed", provider=self.name
            )
        text = "".join(getattr(b, "text", "") for b in blocks if getattr(b, "type", "") == "text")
        usage = {}
        if response.usage is not None:
            usage = {
                "input_tokens": response.usage.input_tokens or 0,
                "output_tokens": response.usage.output_tokens or 0,
            }
        return Answer(text=text, model=response.model or self.model, usage=usage)
