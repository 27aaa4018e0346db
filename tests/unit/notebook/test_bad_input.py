"""Malformed input gives a clear error naming the problem, or a correct result; never a crash."""

from __future__ import annotations

import pytest

from waypost.errors import BinaryFileError, EncodingError
from waypost.notebook import parse, serialize


def test_binary_data_is_refused_naming_the_offset() -> None:
    with pytest.raises(
        BinaryFileError, match=r"runbook.md: binary data, not Markdown \(NUL byte at offset 3\)"
    ):
        parse(b"# T\x00\x01\x02", where="runbook.md")


def test_invalid_utf8_is_refused_naming_line_and_byte() -> None:
    with pytest.raises(
        EncodingError, match=r"x.md: line 2: not valid UTF-8 \(byte 0xff at offset 4\)"
    ):
        parse(b"# T\n\xff\xfe\n", where="x.md")


@pytest.mark.parametrize(
    "doc",
    [
        "---\ntitle: [unclosed\n---\n\n```sh\necho\n```\n",
        "---\n: : :\n---\n",
        "+++\nnot toml at all\n+++\n",
        "---\n- just\n- a list\n---\n",
        '{\n  "unterminated": \n',
    ],
)
def test_broken_frontmatter_is_kept_and_reported(doc: str) -> None:
    notebook = parse(doc)
    assert serialize(notebook).decode() == doc
    if notebook.frontmatter is not None:
        assert notebook.frontmatter.data is None and notebook.frontmatter.error


def test_a_50_megabyte_file_round_trips() -> None:
    chunk = (
        "## Step\n\nSome text `x` about what this step does and why it matters, and what to check\n"
        'before going on to the next one.\n\n```sh {"name":"s"}\necho hi\n```\n\n- a\n- b\n\n'
    )
    doc = (chunk * (50 * 1024 * 1024 // len(chunk) + 1)).encode()
    notebook = parse(doc)
    assert len(notebook.code_cells) > 250_000
    assert serialize(notebook) == doc


@pytest.mark.parametrize(
    "doc",
    [
        ">" * 10_000 + " deep\n",
        ">" * 10_000 + "```sh\necho deep\n```\n",
        "".join("  " * i + "- item\n" for i in range(10_000)),
        "".join("  " * i + "- item\n" for i in range(2_000)) + "```sh\necho\n```\n",
        "[" * 10_000 + "\n",
        "<div>" * 10_000 + "\n",
    ],
    ids=["quotes", "fence-in-quotes", "lists", "lists-then-fence", "brackets", "html"],
)
def test_nesting_ten_thousand_deep_parses_without_crashing(doc: str) -> None:
    assert serialize(parse(doc)).decode() == doc
