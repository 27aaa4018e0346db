"""The real OpenAI and Anthropic SDKs against a local stand-in of their HTTP APIs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.standins.llm import Reply, StandIn, start
from waypost.ai import Generator, make_provider
from waypost.ai.provider import Assistant
from waypost.config import AIConfig
from waypost.errors import ConfigError, ProviderError
from waypost.learn import Example, MemoryEventSink, build_query
from waypost.learn.events import ContextCell
from waypost.notebook import parse

RUNBOOK = parse(
    "# Restart\n\nBounce the checkout service in staging:\n\n"
    "```sh\nexport DB_PASSWORD=hunter2-very-secret\n```\n\nNow restart it.\n"
)


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = start()
    yield server
    server.close()


class FewShot:
    """An assistant that knows one example (what the learner would hand over)."""

    def suggest(self, cells_before: list[ContextCell]) -> None:
        return None

    def retrieve(self, query: object, k: int = 3) -> list[Example]:
        request = build_query([ContextCell("markup", "Restart billing in prod")])
        return [Example("k", request, "kubectl rollout restart deploy/billing", "sh")]


def config(stand_in: StandIn, provider: str, **kw: object) -> AIConfig:
    base = f"{stand_in.url}/v1" if provider != "anthropic" else stand_in.url
    values = {"provider": provider, "base_url": base, "timeout": 2.0, "max_retries": 0,
              "api_key_env": "TEST_KEY"} | kw  # fmt: skip
    return AIConfig(**values)  # type: ignore[arg-type]


ENV = {"TEST_KEY": "test-key-123", "DB_PASSWORD": "hunter2-very-secret"}


def generator(
    cfg: AIConfig, sink: MemoryEventSink | None = None, assistant: Assistant | None = None
) -> Generator:
    return Generator(make_provider(cfg, env=ENV), cfg, sink=sink, assistant=assistant, env=ENV)


@pytest.mark.parametrize("provider", ["openai", "anthropic", "openai-compatible"])
def test_prompt_carries_context_and_examples_and_answer_becomes_cells(
    stand_in: StandIn, provider: str
) -> None:
    stand_in.script(
        Reply(text="Restart it:\n\n```sh\nkubectl rollout restart deploy/checkout\n```")
    )
    sink = MemoryEventSink()
    result = generator(config(stand_in, provider), sink, FewShot()).generate(
        list(RUNBOOK.cells), len(RUNBOOK.cells) - 1
    )
    sent = stand_in.requests[-1]
    prompt = str(sent.body["messages"]) + str(sent.body.get("system", ""))
    assert "Now restart it." in prompt and "Bounce the checkout service" in prompt
    assert "kubectl rollout restart deploy/billing" in prompt  # the few-shot example
    assert "hunter2-very-secret" not in prompt  # secrets masked
    key_header = sent.headers.get("authorization", "") + sent.headers.get("x-api-key", "")
    assert "test-key-123" in key_header
    assert [c.value for c in result.cells] == [
        "Restart it:",
        "kubectl rollout restart deploy/checkout",
    ]
    code = result.cells[1]
    assert code.language == "sh" and code.attributes["id"] == code.id and len(code.id or "") == 26
    assert code.attributes["_ghostCell"] == "true"
    (event,) = sink.events
    assert event.type == "generate" and event.data["trace_id"] == result.trace_id
    assert [c["id"] for c in event.data["cells"]] == [c.id for c in result.cells]
    assert event.data["usage"]["input_tokens"] > 0
    assert event.data["provider"] == provider


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize(
    ("reply", "kind", "message"),
    [
        (Reply(status=401), "auth", "authentication failed (401)"),
        (Reply(status=429), "rate_limit", "rate limited (429)"),
        (Reply(delay=3.0), "timeout", "no answer within 2s"),
        (Reply(status=500), "unavailable", "the API failed (500)"),
        (Reply(body={"unexpected": True}), "malformed", "malformed answer"),
    ],
    ids=["401", "429", "timeout", "500", "malformed"],
)
def test_errors_become_clear_messages_and_no_cells(
    stand_in: StandIn, provider: str, reply: Reply, kind: str, message: str
) -> None:
    stand_in.script(reply)
    sink = MemoryEventSink()
    with pytest.raises(ProviderError) as caught:
        generator(config(stand_in, provider), sink).generate(list(RUNBOOK.cells), 3)
    assert caught.value.kind == kind
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{provider}: ")
    assert "test-key-123" not in str(caught.value)
    assert sink.events == []


def test_rate_limits_are_retried_with_backoff(stand_in: StandIn) -> None:
    stand_in.script(Reply(status=429), Reply(text="```sh\necho ok\n```"))
    result = generator(config(stand_in, "openai", max_retries=2)).generate(list(RUNBOOK.cells), 3)
    assert [c.value for c in result.cells] == ["echo ok"]
    assert len(stand_in.requests) == 2


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_missing_key_is_a_clear_error(stand_in: StandIn, provider: str) -> None:
    cfg = config(stand_in, provider, api_key_env="NOT_SET_ANYWHERE")
    with pytest.raises(ProviderError, match="no API key: set NOT_SET_ANYWHERE"):
        make_provider(cfg, env={})


def test_openai_compatible_needs_a_base_url() -> None:
    with pytest.raises(ConfigError, match=r"needs ai\.base_url"):
        make_provider(AIConfig(provider="openai-compatible"), env={})


def test_openai_compatible_works_without_a_key(stand_in: StandIn) -> None:
    cfg = config(stand_in, "openai-compatible", api_key_env="NOT_SET_ANYWHERE")
    provider = make_provider(cfg, env={})
    result = Generator(provider, cfg, env={}).generate(list(RUNBOOK.cells), 3)
    assert [c.value for c in result.cells] == ["echo default"]


@pytest.mark.parametrize("answer", ["NOTHING", "", "</output>", "```output\nfoo\n```"])
def test_nothing_to_do_answers_give_no_cells(stand_in: StandIn, answer: str) -> None:
    stand_in.script(Reply(text=answer))
    result = generator(config(stand_in, "openai")).generate(list(RUNBOOK.cells), 3)
    assert result.cells == []
