"""Prometheus metrics at ``/metrics``: requests, executions, generation latency, learning.

One registry per server process (not the global one), so tests can start several servers.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from waypost.ai import Generation

__all__ = ["Metrics", "MetricsMiddleware"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "waypost_http_requests_total", "HTTP requests served", ["method", "route", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.request_seconds = Histogram(
            "waypost_http_request_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
        )
        self.executions = Counter(
            "waypost_executions_total", "Cells started", ["via"], registry=self.registry
        )
        self.generations = Counter(
            "waypost_generations_total", "Suggestions asked for", ["provider", "answered"],
            registry=self.registry,
        )  # fmt: skip
        self.generation_seconds = Histogram(
            "waypost_generation_seconds", "Time to propose the next cell", ["provider"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )  # fmt: skip
        self.learner_lag = Gauge(
            "waypost_learner_lag_seconds", "Age of the oldest event not learned from yet",
            registry=self.registry,
        )  # fmt: skip
        self.examples = Gauge(
            "waypost_learned_examples", "Examples the assistant can use", registry=self.registry
        )

    def observe_generation(self, generation: Generation) -> None:
        answered = "yes" if generation.cells else "no"
        self.generations.labels(generation.provider, answered).inc()
        self.generation_seconds.labels(generation.provider).observe(generation.latency_ms / 1000)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts HTTP requests by route template (not raw path: ids would explode the labels)."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = _route(scope)
            self.metrics.requests.labels(scope["method"], route, str(status["code"])).inc()
            self.metrics.request_seconds.labels(route).observe(time.perf_counter() - start)


def _route(scope: dict[str, Any]) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


def learner_lag(workspace: Any) -> float:
    """Seconds since the oldest event the learner has not processed was written (0: caught up)."""
    learner = workspace.learner
    mark = learner.store.watermark(learner.name)
    for event, _ in workspace.event_log.read(mark):
        if event is None:
            continue
        written = datetime.fromisoformat(event.ts.replace("Z", "+00:00"))
        return max(0.0, (datetime.now(UTC) - written).total_seconds())
    return 0.0


async def metrics_endpoint(request: Request) -> Response:
    state = request.app.state.waypost
    with contextlib.suppress(Exception):  # a scrape must answer even if the store is busy
        state.metrics.learner_lag.set(await run_in_threadpool(learner_lag, state.workspace))
        state.metrics.examples.set(await run_in_threadpool(len, state.workspace.store))
    return state.metrics.render()
