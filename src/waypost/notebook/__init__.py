"""Markdown ⇄ Notebook. Pure functions over text and dataclasses: no files, no processes, no network.

Owns the runbook format (Runme-compatible cells, attributes, names, ids, frontmatter) and the
byte-exact round trip. Must never import the runner, the AI, the server or the CLI.
"""

from waypost.notebook.identity import Identity, apply_identity, is_valid_ulid, new_ulid, new_ulids
from waypost.notebook.model import (
    Cell,
    CellId,
    CellKind,
    CellOutput,
    DocumentId,
    ExecutionSummary,
    Frontmatter,
    Notebook,
    Span,
    parse_bool,
)
from waypost.notebook.parser import decode, parse
from waypost.notebook.serializer import SerializeOptions, serialize, serialize_text

__all__ = [
    "Cell",
    "CellId",
    "CellKind",
    "CellOutput",
    "DocumentId",
    "ExecutionSummary",
    "Frontmatter",
    "Identity",
    "Notebook",
    "SerializeOptions",
    "Span",
    "apply_identity",
    "decode",
    "is_valid_ulid",
    "new_ulid",
    "new_ulids",
    "parse",
    "parse_bool",
    "serialize",
    "serialize_text",
]
