"""The MIME type of a cell's output, sniffed from its first chunk (Runme uses Go's ``mimetype``)."""

from __future__ import annotations

import json

__all__ = ["TEXT_PLAIN", "is_binary", "sniff"]

TEXT_PLAIN = "text/plain; charset=utf-8"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BM", "image/bmp"),
)


_BINARY = frozenset({mime for _, mime in _MAGIC} | {"image/webp", "application/octet-stream"})


def is_binary(mime: str) -> bool:
    """Whether output sniffed as ``mime`` is bytes, not text (an image, an archive, a PDF)."""
    return mime.split(";")[0].strip().lower() in _BINARY


def sniff(data: bytes) -> str:
    """A best guess from the first bytes: images and archives by signature, then markup, then text."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    text = _text(data)
    if text is None:
        return "application/octet-stream"
    return _markup(text.lstrip()) or TEXT_PLAIN


def _text(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 3:  # a character cut at the end of the chunk is still text
            return None
        text = data[: exc.start].decode("utf-8")
    if any(ord(c) < 9 or 13 < ord(c) < 27 or 27 < ord(c) < 32 for c in text[:512]):
        return None
    return text


def _markup(text: str) -> str | None:
    head = text[:512].lower()
    if head.startswith("<svg") or (head.startswith("<?xml") and "<svg" in head):
        return "image/svg+xml"
    if head.startswith(("<!doctype html", "<html")):
        return "text/html; charset=utf-8"
    if head.startswith("<?xml"):
        return "text/xml; charset=utf-8"
    if text[:1] in "{[":
        try:
            json.loads(text)
        except ValueError:
            return None
        return "application/json"
    return None
