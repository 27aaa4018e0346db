"""Frontmatter: YAML between ``---`` lines, TOML between ``+++`` lines, or a leading JSON object.

The text is kept exactly as written. Values are parsed for reading; setting Runme's document id
edits the text in place (comments and key order survive). Text that does not parse is kept too, with
the reason recorded, as Runme does for Hugo templates and the like.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from typing import Any

import yaml

from waypost.notebook.braces import closing_brace
from waypost.notebook.model import Frontmatter

__all__ = ["parse_frontmatter", "set_runme_fields", "split_frontmatter"]

_DELIMITERS = {"---": "yaml", "+++": "toml"}


def split_frontmatter(text: str) -> tuple[Frontmatter | None, int]:
    """Find frontmatter at the start of ``text``; returns it and the offset where content begins.

    The frontmatter covers the opening delimiter line through the closing one; its final line ending
    belongs to the content that follows (so ``raw`` has none).
    """
    head = text[:3]
    fmt = _DELIMITERS.get(head)
    if fmt is not None:
        return _split_fenced(text, head, fmt)
    if text.startswith("{") and not text.startswith(("{{", "{%")):
        return _split_json(text)
    return None, 0


def _split_fenced(text: str, delim: str, fmt: str) -> tuple[Frontmatter | None, int]:
    first_eol = _line_end(text, 0)
    if first_eol == len(text) or text[:first_eol].rstrip() != delim:
        return None, 0
    pos = _next_line(text, first_eol)
    while pos < len(text):
        end = _line_end(text, pos)
        if text.startswith(delim, pos) and not text[pos + 3 : end].strip():
            raw = text[:end]
            return parse_frontmatter(raw, fmt), end
        pos = _next_line(text, end)
    return None, 0  # never closed: an ordinary thematic break, not frontmatter


def _split_json(text: str) -> tuple[Frontmatter | None, int]:
    close = closing_brace(text, 0)
    if close == -1:
        return None, 0
    end = _line_end(text, close + 1)
    if text[close + 1 : end].strip():
        return None, 0
    raw = text[:end]
    try:
        data = json.loads(raw)
    except ValueError:
        return None, 0  # `{...}` that is not JSON is content (e.g. an MDX comment)
    if not isinstance(data, dict):
        return None, 0
    return Frontmatter(raw=raw, format="json", data=data), end


def _line_end(text: str, pos: int) -> int:
    """Offset of the line ending at or after ``pos`` (or the end of the text)."""
    n = text.find("\n", pos)
    r = text.find("\r", pos, n if n != -1 else len(text))
    if r != -1:
        return r
    return n if n != -1 else len(text)


def _next_line(text: str, eol: int) -> int:
    if text.startswith("\r\n", eol):
        return eol + 2
    return eol + 1


def _inner(raw: str) -> str:
    """The frontmatter text between the delimiter lines."""
    lines = raw.splitlines(keepends=True)
    return "".join(lines[1:-1])


class _Loader(yaml.SafeLoader):
    """Safe YAML without turning dates into datetime objects (values stay JSON-friendly)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_frontmatter(raw: str, fmt: str) -> Frontmatter:
    """Parse frontmatter text of the given format; a failure is recorded, not raised."""
    try:
        if fmt == "json":
            data: Any = json.loads(raw)
        elif fmt == "toml":
            data = tomllib.loads(_inner(raw))
        else:
            data = yaml.load(_inner(raw), Loader=_Loader)
            if data is None:
                data = {}
    except (ValueError, yaml.YAMLError) as exc:
        return Frontmatter(raw=raw, format=fmt, data=None, error=_describe(exc, fmt))
    if not isinstance(data, dict):
        return Frontmatter(
            raw=raw, format=fmt, data=None, error=f"{fmt} frontmatter is not a mapping of keys"
        )
    return Frontmatter(raw=raw, format=fmt, data=data)


def _describe(exc: Exception, fmt: str) -> str:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        # +2: the opening delimiter line, and 1-based lines
        problem = getattr(exc, "problem", None) or str(exc)
        return f"line {mark.line + 2}: invalid YAML frontmatter: {problem}"
    return f"invalid {fmt.upper()} frontmatter: {str(exc).splitlines()[0]}"


def set_runme_fields(
    frontmatter: Frontmatter | None, fields: Mapping[str, str], eol: str
) -> Frontmatter:
    """Set ``runme.<key>`` values (``id``, ``version``, ``session.id``...), editing the text in place.

    Creates a YAML frontmatter when there is none. Keys use dots for nesting: ``session.id``.
    """
    if frontmatter is None:
        body = _yaml_block({"runme": _nest(fields)}, eol, indent="")
        return parse_frontmatter(f"---{eol}{body}---", "yaml")
    if frontmatter.data is None:
        return frontmatter  # unparseable frontmatter is never rewritten
    if frontmatter.format == "yaml":
        return parse_frontmatter(_edit_yaml(frontmatter.raw, frontmatter.data, fields, eol), "yaml")
    if frontmatter.format == "toml":
        return parse_frontmatter(_edit_toml(frontmatter.raw, frontmatter.data, fields, eol), "toml")
    if frontmatter.format == "json":
        data = dict(frontmatter.data)
        runme = dict(data.get("runme") or {})
        _merge(runme, _nest(fields))
        data["runme"] = runme
        return parse_frontmatter(json.dumps(data, indent=2, ensure_ascii=False), "json")
    return frontmatter


def _nest(fields: Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for dotted, value in fields.items():
        node = tree
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _merge(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = dict(target[key])
            _merge(target[key], value)
        else:
            target[key] = value


def _yaml_block(tree: Mapping[str, Any], eol: str, indent: str) -> str:
    """Block-style YAML for a small nested mapping of strings."""
    out = []
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out.append(f"{indent}{key}:{eol}{_yaml_block(value, eol, indent + '  ')}")
        else:
            out.append(f"{indent}{key}: {_yaml_scalar(value)}{eol}")
    return "".join(out)


def _yaml_scalar(value: Any) -> str:
    dumped = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return dumped.removesuffix("...").strip()


def _edit_yaml(raw: str, data: Mapping[str, Any], fields: Mapping[str, str], eol: str) -> str:
    """Replace the top-level ``runme:`` block (or append one); every other line stays as written."""
    runme = dict(data.get("runme") or {}) if isinstance(data.get("runme"), Mapping) else {}
    _merge(runme, _nest(fields))
    block = _yaml_block({"runme": runme}, eol, indent="")
    lines = raw.splitlines(keepends=True)
    start = next((i for i in range(1, len(lines) - 1) if re.match(r"runme\s*:", lines[i])), None)
    if start is None:
        if not lines[-2].endswith(("\n", "\r")):
            lines[-2] += eol
        lines[-1:-1] = [block]
        return "".join(lines)
    end = start + 1
    while end < len(lines) - 1 and (
        not lines[end].strip() or lines[end][0] in " \t" or lines[end].lstrip().startswith("#")
    ):
        end += 1
    while end - 1 > start and not lines[end - 1].strip():
        end -= 1  # blank lines after the block stay where they are
    lines[start:end] = [block]
    return "".join(lines)


def _edit_toml(raw: str, data: Mapping[str, Any], fields: Mapping[str, str], eol: str) -> str:
    """Replace the ``[runme]`` table (or append one); other lines stay as written."""
    runme = dict(data.get("runme") or {}) if isinstance(data.get("runme"), Mapping) else {}
    _merge(runme, _nest(fields))
    lines = raw.splitlines(keepends=True)
    start = next(
        (i for i in range(1, len(lines) - 1) if re.match(r"\s*\[runme(\.|\])", lines[i])), None
    )
    if start is not None:
        end = start + 1
        while end < len(lines) - 1 and not re.match(r"\s*\[(?!runme[.\]])", lines[end]):
            end += 1
        del lines[start:end]
    elif "runme" in data:
        return raw  # a dotted or inline `runme` key: too unusual to edit safely
    if not lines[-2].endswith(("\n", "\r")):
        lines[-2] += eol
    lines[-1:-1] = _toml_tables(runme, "runme", eol)
    return "".join(lines)


def _toml_tables(tree: Mapping[str, Any], name: str, eol: str) -> list[str]:
    out = [f"[{name}]{eol}"]
    nested = []
    for key, value in tree.items():
        if isinstance(value, Mapping):
            nested.append((key, value))
        else:
            out.append(f"{key} = {json.dumps(value, ensure_ascii=False)}{eol}")
    for key, value in nested:
        out.extend(_toml_tables(value, f"{name}.{key}", eol))
    return out
