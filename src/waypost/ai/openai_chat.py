"""OpenAI's chat completions API, and any server that speaks it (``openai-compatible``)."""

from __future__ import annotations

from collections.abc import Mapping

from waypost.ai.errors import translate
from waypost.ai.provider import Answer, Request, api_key, missing_key
from waypost.config import AIConfig
from waypost.errors import ConfigError, ProviderError

__all__ = ["OpenAIProvider"]

DEFAULT_MODEL = "gpt-4o-mini"


class OpenAIProvider:
    def __init__(self, config: AIConfig, *, env: Mapping[str, str] | None = None) -> None:
        import openai

        self.name = config.provider
        self.config = config
        compatible = config.provider == "openai-compatible"
        if compatible and not config.base_url:
            raise ConfigError(
                "openai-compatible needs ai.base_url (e.g. http://localhost:11434/v1)",
                where="ai.base_url",
            )
        key = api_key(config, "OPENAI_API_KEY", env)
        if not key:
            if not compatible:
                raise missing_key(self.name, config.api_key_env or "OPENAI_API_KEY")
            key = "not-needed"  # local servers accept any key
        self.model = config.model or (DEFAULT_MODEL if not compatible else "default")
        self.client = openai.OpenAI(
            api_key=key,
            base_url=config.base_url or None,
            timeout=config.timeout,
            max_retries=config.max_retries,
        )

    def answer(self, request: Request) -> Answer:
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": request.prompt.system},
                    {"role": "user", "content": request.prompt.user},
                ],
                max_tokens=self.config.max_tokens,
                temperature=self.config.temperature,
            )
        except Exception as exc:
            raise translate(exc, self.name, self.config.timeout, self.config.base_url) from exc
        choices = getattr(response, "choices", None)
        if not choices or choices[0].message is None:
            raise ProviderError(
                "malformed answer: no choices", kind="malformed", provider=self.name
            )
        text = choices[0].message.content or ""
        usage = {}
        if response.usage is not None:
            usage = {
                "input_tokens": response.usage.prompt_tokens or 0,
                "output_tokens": response.usage.completion_tokens or 0,
            }
        return Answer(text=text, model=response.model or self.model, usage=usage)
