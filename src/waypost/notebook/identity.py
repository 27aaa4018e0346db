"""Lifecycle identity: ULIDs for cells and documents, persisted only when asked (Runme's modes).

- ``UNSPECIFIED`` (default): ids live in memory only; ids already in the file are kept.
- ``CELL``: every code cell without an ``id`` attribute gets one in its fence.
- ``DOCUMENT``: the frontmatter gets ``runme.id`` (and ``runme.version``).
- ``ALL``: both.

A valid id already in the file is never replaced; an invalid ``id`` attribute is left alone too.
"""

from __future__ import annotations

import enum
import re
from dataclasses import replace

from ulid import ULID

from waypost.notebook.frontmatter import set_runme_fields
from waypost.notebook.model import Notebook

__all__ = ["RUNME_VERSION", "Identity", "apply_identity", "is_valid_ulid", "new_ulid"]

RUNME_VERSION = "v3"
"""What ``runme.version`` says in frontmatter Waypost creates: the Runme major version it matches."""

_ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


class Identity(enum.IntEnum):
    """Same numbers as Runme's ``RunmeIdentity``."""

    UNSPECIFIED = 0
    ALL = 1
    DOCUMENT = 2
    CELL = 3

    @property
    def cells(self) -> bool:
        return self in (Identity.ALL, Identity.CELL)

    @property
    def document(self) -> bool:
        return self in (Identity.ALL, Identity.DOCUMENT)

    @classmethod
    def from_name(cls, name: str) -> Identity:
        names = {
            "": cls.UNSPECIFIED,
            "none": cls.UNSPECIFIED,
            "unspecified": cls.UNSPECIFIED,
            "all": cls.ALL,
            "doc": cls.DOCUMENT,
            "document": cls.DOCUMENT,
            "cell": cls.CELL,
        }
        try:
            return names[name.lower()]
        except KeyError:
            raise ValueError(
                f"unknown identity {name!r}; expected one of unspecified, cell, document, all"
            ) from None


def is_valid_ulid(text: str | None) -> bool:
    return bool(text) and _ULID.match(text) is not None  # type: ignore[arg-type]


def new_ulid() -> str:
    return str(ULID())


def apply_identity(notebook: Notebook, mode: Identity) -> Notebook:
    """Persist ids as ``mode`` asks; returns the notebook unchanged when nothing is missing."""
    result = notebook
    if mode.cells:
        cells = list(result.cells)
        changed = False
        for i, cell in enumerate(cells):
            if cell.is_code and cell.fenced and "id" not in cell.attributes:
                ident = cell.id if is_valid_ulid(cell.id) else new_ulid()
                cells[i] = replace(cell, id=ident).with_attributes(id=ident)
                changed = True
        if changed:
            result = result.with_cells(cells)
    if mode.document and not is_valid_ulid(result.document_id):
        fields = {"id": new_ulid()}
        if not (result.frontmatter and result.frontmatter.runme.get("version")):
            fields["version"] = RUNME_VERSION
        frontmatter = set_runme_fields(result.frontmatter, fields, result.eol)
        if frontmatter.data is not None:
            result = replace(result, frontmatter=frontmatter)
    return result
