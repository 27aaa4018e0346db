"""Reading JSON request bodies strictly: a wrong type or a missing field is a 400 naming the field."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from waypost.errors import UsageError
from waypost.notebook import CellKind
from waypost.notebook.merge import IncomingCell

__all__ = ["field", "incoming_cell", "read_json"]


async def read_json(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"body is not JSON: {exc}", where="body") from None
    if not isinstance(data, dict):
        raise UsageError("body must be a JSON object", where="body")
    return data


def field(
    data: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any = ...
) -> Any:
    if name not in data or data[name] is None:
        if default is ...:
            raise UsageError("missing", where=name)
        return default
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise UsageError(f"must be {names}", where=name)
    return value


def incoming_cell(data: Any, index: int) -> IncomingCell:
    where = f"cells[{index}]"
    if not isinstance(data, dict):
        raise UsageError("must be an object", where=where)
    kind = data.get("kind", "markup")
    if kind in ("code", 2):
        cell_kind = CellKind.CODE
    elif kind in ("markup", 1):
        cell_kind = CellKind.MARKUP
    else:
        raise UsageError("kind must be 'code' or 'markup'", where=f"{where}.kind")
    value = data.get("value", "")
    language = data.get("languageId", data.get("language", "")) or ""
    metadata = data.get("metadata", data.get("attributes", {})) or {}
    ident = data.get("id", "") or ""
    if not isinstance(value, str) or not isinstance(language, str) or not isinstance(ident, str):
        raise UsageError("value, languageId and id must be strings", where=where)
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise UsageError("metadata must map strings to strings", where=f"{where}.metadata")
    if "\0" in value:
        raise UsageError("value contains a NUL byte", where=f"{where}.value")
    attributes = {k: v for k, v in metadata.items() if not k.startswith("runme.dev/")}
    ident = ident or metadata.get("runme.dev/id", "") or metadata.get("id", "")
    return IncomingCell(
        cell_kind, value, language if cell_kind == CellKind.CODE else "", attributes, ident
    )
