"""Files and notebooks: list the project's runbooks, open one, save edits back, rename one."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from waypost.errors import UsageError
from waypost.notebook.jsonview import notebook_to_json
from waypost.project import (
    Document,
    is_runbook,
    open_document,
    open_project,
    rename_atomically,
    save_document,
)
from waypost.server.http.payloads import field, incoming_cell, read_json
from waypost.server.state import ServerState

__all__ = ["routes"]


def _state(request: Request) -> ServerState:
    return request.app.state.waypost


def _path(request: Request) -> Path:
    return _runbook(_state(request), request.query_params.get("path"), "path")


def _runbook(state: ServerState, name: str | None, where: str) -> Path:
    if not name:
        raise UsageError("missing", where=where)
    path = state.confinement.resolve(name)
    if not is_runbook(path):
        raise UsageError("not a runbook (.md, .mdx, .mdi, .mdr, .run, .runme, .dag)", where=where)
    return path


def _document_json(state: ServerState, document: Document) -> dict[str, object]:
    return {
        "path": state.confinement.relative(document.path),
        "hash": document.hash,
        "notebook": notebook_to_json(document.notebook),
    }


async def list_files(request: Request) -> JSONResponse:
    state = _state(request)

    def walk() -> list[dict[str, object]]:
        project = open_project(project=str(state.confinement.root))
        found = []
        for path, notebook in project.notebooks():
            cells = [
                {"name": c.name, "id": c.id, "index": i, "named": not c.name_generated}
                for i, c in enumerate(notebook.cells)
                if c.is_code
            ]
            found.append({"path": project.relpath(path), "cells": cells})
        return found

    return JSONResponse({"files": await run_in_threadpool(walk)})


async def get_notebook(request: Request) -> JSONResponse:
    state = _state(request)
    path = _path(request)
    document = await run_in_threadpool(open_document, path, where=state.confinement.relative(path))
    return JSONResponse(_document_json(state, document))


async def put_notebook(request: Request) -> JSONResponse:
    state = _state(request)
    path = _path(request)
    data = await read_json(request)
    raw_cells = field(data, "cells", list)
    cells = [incoming_cell(c, i) for i, c in enumerate(raw_cells)]
    expected = field(data, "hash", str, None)
    force = field(data, "force", bool, False)
    frontmatter = field(data, "frontmatter", str, None)
    if expected is None and not force:
        raise UsageError("missing: the hash the notebook was opened with (or force)", where="hash")
    document = await run_in_threadpool(
        lambda: save_document(
            path,
            cells,
            expected_hash=expected,
            frontmatter=frontmatter,
            force=force,
            where=state.confinement.relative(path),
        )
    )
    return JSONResponse(_document_json(state, document))


async def rename_file(request: Request) -> JSONResponse:
    """``{"from": "a.md", "to": "docs/b.md"}`` → ``{"path": "docs/b.md"}``; never over a file."""
    state = _state(request)
    data = await read_json(request)
    source = _runbook(state, field(data, "from", str), "from")
    target = _runbook(state, field(data, "to", str), "to")
    if target == source:
        raise UsageError("is the file's name already", where="to")
    relative = state.confinement.relative
    await run_in_threadpool(
        rename_atomically, source, target, where=relative(source), where_to=relative(target)
    )
    return JSONResponse({"path": relative(target)})


routes = [
    Route("/api/files", list_files, methods=["GET"]),
    Route("/api/notebook", get_notebook, methods=["GET"]),
    Route("/api/notebook", put_notebook, methods=["PUT"]),
    Route("/api/files/rename", rename_file, methods=["POST"]),
]
