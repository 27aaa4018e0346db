"""Lifecycle identity: ULIDs for cells and documents, persisted only when asked (Runme's modes).

- ``UNSPECIFIED`` (default): ids live in memory only; ids already in the file are kept.
- ``CELL``: every code cell without an ``id`` attribute gets one in its fence.
- ``DOCUMENT``: the frontmatter gets ``runme.id`` (and ``runme.version``).
- ``ALL``: both.

A valid id already in the file is never replaced; an invalid ``id`` attribute is left alone too.
"""

from __future__ import annotations

import base64
import enum
import os
import re
import threading
import time
from dataclasses import replace

from waypost.notebook.frontmatter import set_runme_fields
from waypost.notebook.model import Notebook

__all__ = ["RUNME_VERSION", "Identity", "apply_identity", "is_valid_ulid", "new_ulid", "new_ulids"]

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


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RFC4648_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _CROCKFORD)
_LOW = (1 << 20) - 1
_RANDOM_MASK = (1 << 80) - 1
_MS_MASK = (1 << 48) - 1
_last = [0, 0]  # (milliseconds, randomness) of the previous id, for monotonic ids
_lock = threading.Lock()


def new_ulid() -> str:
    """A new ULID, monotonic within the process."""
    return new_ulids(1)[0]


_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]
"""All 1024 two-character Crockford strings: the last four characters of a batch id in one lookup."""


def new_ulids(count: int) -> list[str]:
    """``count`` consecutive, monotonic ULIDs.

    Written out here because parsing gives every cell one: python-ulid's generator costs ~8 µs an
    id. A batch encodes one base id (base32 in C, Crockford's alphabet by ``str.translate``) and
    counts in its last 20 bits, well under a microsecond an id.
    """
    ms = time.time_ns() // 1_000_000
    with _lock:
        last_ms, last_random = _last
        if ms <= last_ms and (last_random & _LOW) + count <= _LOW:
            ms, base = last_ms, last_random + 1
        else:
            ms = max(ms, last_ms + 1) if ms <= last_ms else ms
            base = int.from_bytes(os.urandom(10), "big") & ~_LOW & _RANDOM_MASK
        _last[0], _last[1] = ms, base + count - 1
    ids = []
    remaining = count
    while remaining:
        chunk = min(remaining, _LOW + 1 - (base & _LOW))
        value = ((ms & _MS_MASK) << 80) | (base & ~_LOW)
        head = base64.b32encode((value << 6).to_bytes(17, "big")).decode("ascii")[:22]
        head = head.translate(_RFC4648_TO_CROCKFORD)
        low = base & _LOW
        ids.extend(head + _PAIRS[i >> 10] + _PAIRS[i & 1023] for i in range(low, low + chunk))
        remaining -= chunk
        base += chunk
    return ids


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
