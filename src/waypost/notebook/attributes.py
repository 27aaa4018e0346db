"""A fence's info string: the language word and the ``{...}`` attributes, in JSON or HTML style.

```sh {"name":"deploy","interactive":"false"}      JSON style (Runme's default)
```sh { name=deploy interactive=false }            HTML style

Values are strings, as in Runme: ``{"interactive": false}`` reads as ``"false"``. Writing keeps the
author's style and key order and only touches the attribute block.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from waypost.notebook.braces import closing_brace

__all__ = ["InfoString", "parse_info", "render_info", "serializable_keys"]


@dataclass(slots=True)
class InfoString:
    language: str
    """The first word, unless the info string starts with the attribute block."""
    attributes: dict[str, str] = field(default_factory=dict)
    format: str = "json"
    """``json`` or ``html``: how the attribute block is written."""
    language_text: str = ""
    """The language word exactly as written (before any attribute block glued to it)."""
    rest: str = ""
    """Everything after the language word, as written."""
    span: tuple[int, int] | None = None
    """Where the ``{...}`` block sits in ``rest``."""
    typed: dict[str, Any] = field(default_factory=dict)
    """JSON values that were not strings, by key."""
    spaced: bool = False
    """JSON written with a space after ``:`` and ``,``."""


def parse_info(info: str) -> InfoString:
    """Split an info string (already stripped of the fence) into language and attributes."""
    text = info.strip()
    brace = _find_attribute_block(text)
    if brace is None:
        word = text.split(None, 1)[0] if text else ""
        return InfoString(language=word, language_text=word, rest=text[len(word) :])
    start, end = brace
    before = text[:start]
    word = before.split(None, 1)[0] if before.strip() else ""
    rest = text[len(word) :]
    offset = len(word)
    raw = text[start:end]
    attrs, fmt, typed, spaced = _parse_attributes(raw)
    return InfoString(
        language=word,
        attributes=attrs,
        format=fmt,
        language_text=word,
        rest=rest,
        span=(start - offset, end - offset),
        typed=typed,
        spaced=spaced,
    )


def _find_attribute_block(text: str) -> tuple[int, int] | None:
    """The first ``{`` not followed by ``}``, up to its matching ``}`` (JSON strings respected)."""
    start = 0
    while True:
        start = text.find("{", start)
        if start == -1:
            return None
        if text.startswith("{}", start):
            start += 2
            continue
        break
    end = closing_brace(text, start)
    if end != -1:
        return start, end + 1
    close = text.find("}", start)  # unbalanced: Runme takes the first closing brace
    return (start, close + 1) if close != -1 else None


def _parse_attributes(raw: str) -> tuple[dict[str, str], str, dict[str, Any], bool]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        attrs: dict[str, str] = {}
        typed: dict[str, Any] = {}
        for key, value in parsed.items():
            if isinstance(value, str):
                attrs[key] = value
            else:
                attrs[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
                typed[key] = value
        return attrs, "json", typed, bool(re.search(r'"\s*:\s+|,\s+"', raw))
    return _parse_html(raw[1:-1]), "html", {}, False


_HTML_ITEM = re.compile(
    r"""\s*(?:
        "(?P<jkey>[^"]*)"\s*:\s*"(?P<jval>(?:[^"\\]|\\.)*)"\s*,?      # a JSON-style pair in the mix
      | (?P<key>[^\s=]+)(?:=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S*)))?
    )""",
    re.VERBOSE,
)


def _parse_html(body: str) -> dict[str, str]:
    """``key=value`` items separated by spaces; quotes around a value are allowed and removed."""
    attrs: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        match = _HTML_ITEM.match(body, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
        if match.group("jkey") is not None:
            attrs[match.group("jkey")] = json.loads(f'"{match.group("jval")}"')
        elif match.group("key"):
            value = next((v for v in match.group("dq", "sq", "bare") if v is not None), "")
            attrs[match.group("key")] = value
    return attrs


def serializable_keys(attributes: dict[str, str]) -> list[str]:
    """Keys that belong in the file: not internal (``runme.dev…``), private (``_…``) or ``index``."""
    return [k for k in attributes if k and not k.startswith(("_", "runme.dev")) and k != "index"]


def render_attributes(
    attributes: dict[str, str], fmt: str, typed: dict[str, Any] | None = None, spaced: bool = False
) -> str:
    keys = serializable_keys(attributes)
    if not keys:
        return ""
    typed = typed or {}
    if fmt == "html":
        parts = [f"{k}={_html_value(attributes[k])}" for k in keys]
        return "{ " + " ".join(parts) + " }"
    obj: dict[str, Any] = {}
    for key in keys:
        value = attributes[key]
        original = typed.get(key, None)
        if (
            key in typed
            and json.dumps(original, separators=(",", ":"), ensure_ascii=False) == value
        ):
            obj[key] = original
        else:
            obj[key] = value
    separators = (", ", ": ") if spaced else (",", ":")
    return json.dumps(obj, separators=separators, ensure_ascii=False)


def _html_value(value: str) -> str:
    if value == "" or not re.search(r"[\s\"'{}]", value):
        return value
    if '"' not in value:
        return f'"{value}"'
    return f"'{value}'"


def render_info(
    language: str,
    attributes: dict[str, str],
    *,
    original: InfoString | None = None,
) -> str:
    """The info string for a fence, changing as little of ``original`` as the edit needs."""
    if original is None:
        block = render_attributes(attributes, "json")
        return f"{language} {block}" if block else language
    block = render_attributes(attributes, original.format, original.typed, original.spaced)
    rest = original.rest
    if original.span is not None:
        start, end = original.span
        if block:
            rest = rest[:start] + block + rest[end:]
        else:
            rest = (rest[:start].rstrip() + " " + rest[end:].lstrip()).rstrip()
    elif block:
        rest = f"{rest.rstrip()} {block}"
    if language and rest and not rest[0].isspace():
        rest = " " + rest
    return language + rest
