"""SDK errors of the LLM providers turned into ``ProviderError`` in one place."""

from __future__ import annotations

from waypost.errors import ProviderError

__all__ = ["translate"]


def translate(exc: Exception, provider: str, timeout: float, base_url: str) -> ProviderError:
    """A clear message for whatever the OpenAI or Anthropic SDK raised (keys never included)."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    detail = _detail(exc)
    if name == "AuthenticationError" or status == 401:
        return ProviderError(
            "authentication failed (401): the API key was refused", kind="auth", provider=provider
        )
    if name == "PermissionDeniedError" or status == 403:
        return ProviderError(f"permission denied (403){detail}", kind="auth", provider=provider)
    if name == "RateLimitError" or status == 429:
        return ProviderError(
            "rate limited (429) even after retrying; try again later", kind="rate_limit",
            provider=provider,
        )  # fmt: skip
    if name == "APITimeoutError":
        return ProviderError(f"no answer within {timeout:g}s", kind="timeout", provider=provider)
    if name == "APIConnectionError":
        where = base_url or "the API"
        return ProviderError(f"cannot reach {where}", kind="unavailable", provider=provider)
    if name == "APIResponseValidationError":
        return ProviderError(
            f"malformed answer from the API{detail}", kind="malformed", provider=provider
        )
    if status is not None and status >= 500:
        return ProviderError(
            f"the API failed ({status}) even after retrying{detail}", kind="unavailable",
            provider=provider,
        )  # fmt: skip
    if status is not None:
        return ProviderError(
            f"request refused ({status}){detail}", kind="bad_request", provider=provider
        )
    return ProviderError(f"{name}{detail}", kind="unavailable", provider=provider)


def _detail(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    message = ""
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            message = str(error.get("message", "") or "")
    if not message:
        message = str(getattr(exc, "message", "") or "")
    message = message.strip().splitlines()[0] if message.strip() else ""
    return f": {message[:200]}" if message else ""
