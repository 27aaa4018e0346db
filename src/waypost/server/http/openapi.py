"""The OpenAPI description of the JSON API (wire format v1, see ``docs/api.md``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

__all__ = ["SPEC", "openapi"]

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    "required": ["error", "message"],
}
_CELL_IN = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": ["code", "markup"]},
        "value": {"type": "string"},
        "languageId": {"type": "string"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "id": {"type": "string"},
    },
    "required": ["kind", "value"],
}
_NOTEBOOK = {
    "type": "object",
    "properties": {"cells": {"type": "array", "items": {"type": "object"}}},
}
_DOCUMENT = {
    "type": "object",
    "properties": {"path": {"type": "string"}, "hash": {"type": "string"}, "notebook": _NOTEBOOK},
    "required": ["path", "hash", "notebook"],
}


def _errors(*codes: int) -> dict[str, Any]:
    return {
        str(code): {"description": "error", "content": {"application/json": {"schema": _ERROR}}}
        for code in codes
    }


def _json(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


_PATH_PARAM = {
    "name": "path",
    "in": "query",
    "required": True,
    "description": "A runbook's path relative to the project root.",
    "schema": {
        "type": "string",
        "pattern": r"^[A-Za-z0-9_][A-Za-z0-9_./-]{0,80}\.(md|mdx|mdi|mdr|run|runme|dag)$",
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Waypost", "version": "1", "description": "Runbooks, sessions, the AI."},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearer": []}],
    "paths": {
        "/healthz": {
            "get": {
                "security": [],
                "summary": "Liveness",
                "responses": {"200": _json({"type": "object"})},
            }
        },
        "/api/files": {
            "get": {
                "summary": "The project's runbooks and their cells",
                "responses": {"200": _json({"type": "object"}), **_errors(401)},
            }
        },
        "/api/notebook": {
            "get": {
                "summary": "Open a runbook as a notebook",
                "parameters": [_PATH_PARAM],
                "responses": {"200": _json(_DOCUMENT), **_errors(400, 401, 404, 422)},
            },
            "put": {
                "summary": "Save a notebook back to its runbook",
                "parameters": [_PATH_PARAM],
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {
                            "hash": {"type": "string"},
                            "force": {"type": "boolean"},
                            "frontmatter": {"type": "string"},
                            "cells": {"type": "array", "items": _CELL_IN},
                        },
                        "required": ["cells"],
                    }
                ),
                "responses": {"200": _json(_DOCUMENT), **_errors(400, 401, 404, 409, 413, 422)},
            },
        },
        "/api/files/rename": {
            "post": {
                "summary": "Rename a runbook (never over an existing file)",
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {
                            "from": {"type": "string"},
                            "to": {"type": "string"},
                        },
                        "required": ["from", "to"],
                    }
                ),
                "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 404, 409)},
            }
        },
        "/api/sessions": {
            "get": {
                "summary": "Sessions, most recently used first (secret values masked)",
                "responses": {"200": _json({"type": "object"}), **_errors(401)},
            },
            "post": {
                "summary": "Create a session",
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {
                            "env": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                            "metadata": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                    },
                    required=False,
                ),
                "responses": {"201": _json({"type": "object"}), **_errors(400, 401)},
            },
        },
        "/api/sessions/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "summary": "One session",
                "responses": {"200": _json({"type": "object"}), **_errors(401, 404)},
            },
            "delete": {
                "summary": "Delete a session and stop what runs in it",
                "responses": {"204": {"description": "deleted"}, **_errors(401, 404)},
            },
        },
        "/api/run": {
            "post": {
                "summary": "Run a cell to completion (not interactive); returns its output",
                "description": "Runs a command on the server. Body: the execute message of docs/api.md.",
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {
                            "path": {"type": "string"},
                            "cellId": {"type": "string"},
                            "index": {"type": "integer"},
                            "cell": _CELL_IN,
                            "sessionId": {"type": "string"},
                            "env": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                    }
                ),
                "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 404)},
            }
        },
        "/api/executions": {
            "get": {
                "summary": "Executions still running",
                "responses": {"200": _json({"type": "object"}), **_errors(401)},
            }
        },
        "/api/executions/{id}/stop": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "post": {
                "summary": "Stop a running execution",
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {"kind": {"type": "string", "enum": ["interrupt", "kill"]}},
                    },
                    required=False,
                ),
                "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 404)},
            },
        },
        "/api/generate": {
            "post": {
                "summary": "Propose the cells after a selected one",
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {
                            "cells": {"type": "array", "items": _CELL_IN},
                            "selected": {"type": "integer"},
                            "path": {"type": "string"},
                        },
                        "required": ["cells"],
                    }
                ),
                "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 502)},
            }
        },
        "/api/events": {
            "post": {
                "summary": "Record that suggestions were accepted or rejected",
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {
                            "events": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "type": {
                                            "type": "string",
                                            "enum": ["accepted", "rejected"],
                                        },
                                        "cellId": {"type": "string"},
                                        "traceId": {"type": "string"},
                                    },
                                    "required": ["type", "cellId"],
                                },
                            }
                        },
                        "required": ["events"],
                    }
                ),
                "responses": {"200": _json({"type": "object"}), **_errors(400, 401)},
            }
        },
    },
}


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(SPEC)
