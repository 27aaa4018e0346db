"""The HTTP application: the JSON API, the AI's Connect services, the browser UI, health."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from waypost.errors import WaypostError
from waypost.log import get_logger
from waypost.server.http import ai, executions, notebooks
from waypost.server.http.errors import error_json, waypost_error_handler
from waypost.server.http.h2 import RequestEndFirst
from waypost.server.http.openapi import openapi
from waypost.server.http.security import COOKIE, BodyTooLargeError, SecurityMiddleware
from waypost.server.metrics import MetricsMiddleware, metrics_endpoint
from waypost.server.state import ServerState

__all__ = ["build_app", "web_root"]

_log = get_logger("waypost.http")


def web_root() -> Path | None:
    """The built browser UI shipped in the package, if present."""
    root = Path(str(resources.files("waypost") / "web"))
    return root if (root / "index.html").is_file() else None


class _HashedAssets(StaticFiles):
    """The UI's built files: their names change with their content, so browsers may keep them."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when what requests need answers: the team's database, if there is one."""
    workspace = request.app.state.waypost.workspace
    if workspace.team and not await run_in_threadpool(workspace.database.ready):
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def index(request: Request) -> Response:
    token = request.query_params.get("token")
    if token:
        # trade the token in the URL for a cookie, and drop it from the address bar and history
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
        return response
    root = web_root()
    if root is None:
        return HTMLResponse("<!doctype html><title>Waypost</title><p>Waypost is running.</p>")
    return HTMLResponse((root / "index.html").read_text(encoding="utf-8"))


async def _too_large(request: Request, exc: Exception) -> JSONResponse:
    return error_json(413, "too_large", "request too large")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.error("request failed", method=request.method, path=request.url.path, exc_info=exc)
    return error_json(500, "internal", "internal error; the server log has the details")


def build_app(state: ServerState, extra_routes: list[Route] | None = None) -> RequestEndFirst:
    routes: list[Route | Mount] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/", index),
        Route("/api/openapi.json", openapi),
        Route("/metrics", metrics_endpoint),
        *notebooks.routes,
        *ai.routes,
        *executions.routes,
        *(extra_routes or []),
    ]
    root = web_root()
    if root is not None and (root / "assets").is_dir():
        assets = GZipMiddleware(_HashedAssets(directory=root / "assets"), minimum_size=1024)
        routes.append(Mount("/assets", assets, name="assets"))
    app = Starlette(
        routes=routes,
        exception_handlers={
            WaypostError: waypost_error_handler,
            BodyTooLargeError: _too_large,
            Exception: _unexpected,
        },
    )
    app.state.waypost = state
    return RequestEndFirst(
        SecurityMiddleware(MetricsMiddleware(app, state.metrics), state.guard, state.max_body)
    )
