"""The hand-written block scanner builds the same Block tree as markdown-it-py, the reference.

Four kinds of evidence: every document of the shared conformance corpus, generated documents
(hypothesis), a table of spec cases the oracle cannot judge (markdown-it-py strays from the spec
there), and hostile input that must neither crash nor take long.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waypost.notebook import parse, serialize
from waypost.notebook.blocks import LEAF_KINDS, Block, scan_with_markdown_it
from waypost.notebook.scanner import MAX_DEPTH, scan

CONFORMANCE = Path(__file__).resolve().parents[3].parent / "shared" / "conformance"
DOCUMENTS = sorted(
    path for path in CONFORMANCE.rglob("*") if path.suffix in (".md", ".mdx", ".dag")
)


def shape(blocks: list[Block]) -> list[tuple[object, ...]]:
    """What must agree between the scanners. A container ends with its last child (or its first
    line): where markdown-it ends one among trailing blank lines is not structure."""
    result = []
    for block in blocks:
        children = shape(block.children)
        end = block.end
        if block.kind not in LEAF_KINDS:
            end = max([block.start + 1] + [child[2] for child in children])  # type: ignore[list-item]
        fields = (block.info, block.marker, block.content, block.closed)
        result.append((block.kind, block.start, end, *fields, children))
    return result


def outline(blocks: list[Block]) -> str:
    """A compact view of a tree for the spec table: ``kind start-end`` and children in ()."""
    parts = []
    for block in blocks:
        text = f"{block.kind} {block.start}-{block.end}"
        if block.kind in ("fence", "code"):
            text += f" {block.content!r}"
        if block.children:
            text += f" ({outline(block.children)})"
        parts.append(text)
    return ", ".join(parts)


def depth(blocks: list[Block]) -> int:
    """How deeply block quotes and list items nest."""
    deepest = 0
    for block in blocks:
        own = 1 if block.kind in ("blockquote", "item") else 0
        deepest = max(deepest, own + depth(block.children))
    return deepest


# -- the conformance corpus -------------------------------------------------------------------


@pytest.mark.skipif(not DOCUMENTS, reason="shared/conformance is not beside the repository")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: str(path.relative_to(CONFORMANCE)))
def test_conformance_document_scans_like_markdown_it(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\0", "\ufffd")
    assert shape(scan(text)) == shape(scan_with_markdown_it(text))


@pytest.mark.skipif(not DOCUMENTS, reason="shared/conformance is not beside the repository")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: str(path.relative_to(CONFORMANCE)))
def test_conformance_document_round_trips_byte_for_byte(path: Path) -> None:
    data = path.read_bytes()
    assert serialize(parse(data)) == data


# -- generated documents ----------------------------------------------------------------------

# A line is a few container markers, then something that may start or continue a block.
PREFIXES = [
    *[""] * 4,
    *["> ", ">", " > ", "   > "],
    *["- ", "* ", "+ ", "1. ", "2) ", "10. ", "-    ", "-     ", "  - ", "1.\t", "-\t"],
    *["  ", "   ", "    ", "\t", " \t"],
]
CONTENTS = [
    *["text", "more text", "|a|b|", "*emphasis*", "", "", " "],
    *["```", '```sh {"name":"x"}', "````", "~~~", "~~~ info ~", "``` `x`", "``"],
    *["# h", "## h ##", "#no", "===", "---", "- - -", "***", "___", "-", "*", "1.", "2."],
    *["<div>", "</div>", "<!-- c", "-->", "<!-- x -->", "<?php", "?>", "<!X", "<![CDATA[", "]]>"],
    *["<pre>", "</pre>", "<script>", "</script>", '<a href="x">', "</span>", "<del>"],
    *["[a]: /u", "[a]: /u 'title'", "[b]:", "/dest", "'title'", '"t', 't"', "[x\\]]: y"],
    *["[a]: <b c> (p)", '[c]: /u "t" junk', "  x", "\tx", "      y", "code  "],
]
ENDINGS = ["\n"] * 6 + ["\r\n", "\r"]

BLANKISH = re.compile(r"[ \t>]*")


def tame(line: str) -> str:
    """Keep a generated line away from what markdown-it-py gets wrong (see the spec table):
    tabs after a ``>``, and a block start behind four columns of indentation (the oracle
    misjudges those as lazy lines in nested containers). Such text stays plain."""
    marker = line.find(">")
    if marker >= 0 and "\t" in line[marker:]:
        line = line[:marker] + line[marker:].replace("\t", "  ")
    start = 0
    while True:
        rest = line[start:]
        spaces = len(rest) - len(rest.lstrip(" \t"))
        if len(rest[:spaces].expandtabs(4)) >= 4:
            return line[: start + spaces] + "plain"
        marker = line.find(">", start)
        if marker < 0:
            return line
        start = marker + 1 + (line[marker + 1 : marker + 2] == " ")


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 14))):
        prefix = "".join(draw(st.lists(st.sampled_from(PREFIXES), max_size=3)))
        line = tame(prefix + draw(st.sampled_from(CONTENTS)))
        blank = BLANKISH.fullmatch(line) is not None
        if blank and lines and BLANKISH.fullmatch(lines[-1].rstrip("\r\n")):
            continue  # markdown-it ends an empty item at the second blank line after it
        lines.append(line + draw(st.sampled_from(ENDINGS)))
    text = "".join(lines)
    return text.rstrip("\r\n") if draw(st.booleans()) else text


@st.composite
def nested_documents(draw: st.DrawFn, level: int = 0) -> str:
    """Well-formed nesting: quotes and list items holding paragraphs, fences of varied length
    and character, indented code and headings, with lazy lines and setext underlines."""
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["paragraph", "fence", "code", "heading", "quote", "item"]))
        if kind in ("quote", "item") and level < 3:
            inner = draw(nested_documents(level + 1)).split("\n")
            if kind == "quote":
                rendered = [f"> {line}" if line or draw(st.booleans()) else ">" for line in inner]
                if inner[-1] and draw(st.booleans()):
                    rendered.append(draw(st.sampled_from(["lazy line", "=="])))
            else:
                marker = draw(st.sampled_from(["-", "*", "1.", "3)"]))
                pad = " " * (len(marker) + 1)
                rendered = [f"{marker} {inner[0]}"] + [
                    pad + line if line else "" for line in inner[1:]
                ]
            blocks.append("\n".join(rendered))
        elif kind == "fence":
            char = draw(st.sampled_from("`~"))
            opening = char * draw(st.integers(3, 5))
            body = draw(
                st.lists(st.sampled_from(["ls", "  indented", "", "```", "~~~~~~"]), max_size=3)
            )
            closing = [char * draw(st.integers(3, 6))] if draw(st.booleans()) else []
            blocks.append("\n".join([f"{opening}sh", *body, *closing]))
        elif kind == "code":
            blocks.append("    echo one\n\n    echo two")
        elif kind == "heading":
            blocks.append(draw(st.sampled_from(["# Title", "Title\n=====", "Title\n---"])))
        else:
            blocks.append(draw(st.sampled_from(["Some text\nwrapped", "[ref]: /url\nthen text"])))
    return "\n\n".join(blocks) + "\n"


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_scan_like_markdown_it(text: str) -> None:
    assert shape(scan(text)) == shape(scan_with_markdown_it(text))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nested_documents(), st.sampled_from(["\n", "\r\n", "\r"]))
def test_generated_nested_documents_scan_like_markdown_it(text: str, ending: str) -> None:
    text = text.replace("\n", ending)
    assert shape(scan(text)) == shape(scan_with_markdown_it(text))


# -- spec cases -------------------------------------------------------------------------------

SPEC_CASES = [
    # link reference definitions are a block of their own, at the start of a paragraph only
    ("definition then text", "[a]: /u\ntext\n", "reference 0-1, paragraph 1-2"),
    ("definitions in a row", "[a]: /u\n[b]: /v 'T'\n\n[c]: /w\n", "reference 0-4"),
    ("definition title on next line", "[a]: /u\n'title'\n", "reference 0-2"),
    ("definition bad title backs off", "[a]: /u\n'title' x\n", "reference 0-1, paragraph 1-2"),
    ("definition title on its line", "[a]: /u 'title' x\n", "paragraph 0-1"),
    ("definition across lines", "[a\nb]:\n/u\n", "reference 0-3"),
    ("definition cannot interrupt", "text\n[a]: /u\n", "paragraph 0-2"),
    ("definition of a javascript URL", "[a]: javascript:x()\n", "reference 0-1"),
    ("definition then ordered 2", "[a]: /u\n2. x\n", "reference 0-1, paragraph 1-2"),
    ("definition then indented", "[a]: /u\n    x\n", "reference 0-1, paragraph 1-2"),
    ("definition then underline", "[a]: /u\n===\n", "reference 0-1, paragraph 1-2"),
    ("definition then heading", "[a]: /u\nT\n===\n", "reference 0-1, heading 1-3"),
    ("no destination, underline", "[b]:\n-\n", "heading 0-2"),
    ("open title, underline", "[a]: /u 'x\n===\n'\n", "heading 0-2, paragraph 2-3"),
    ("definition lazy in quote", "> [a]: /u\nb\n", "blockquote 0-2 (reference 0-1, paragraph 1-2)"),
    (
        "definition lazy in item",
        "- [a]: /u\nb\n",
        "list 0-2 (item 0-2 (reference 0-1, paragraph 1-2))",
    ),
    ("definition on item line", "- [a]: /u\n", "list 0-1 (item 0-1 (reference 0-1))"),
    # lazy continuation lines that markdown-it-py misreads in nested containers
    ("lazy indented text", "> > a\n\t2.\n", "blockquote 0-2 (blockquote 0-2 (paragraph 0-2))"),
    ("lazy indented fence", "> > a\n    ~~~\n", "blockquote 0-2 (blockquote 0-2 (paragraph 0-2))"),
    ("lazy indented html", "  10. a\n    <script>\n", "list 0-2 (item 0-2 (paragraph 0-2))"),
    ("lazy kind 7 html", "> a\n<del>\n", "blockquote 0-2 (paragraph 0-2)"),
    ("indented quote marker", "> a\n    > # b\n", "blockquote 0-2 (paragraph 0-2)"),
    # list items
    ("empty item, blank lines", "-\n\n\n- b\n", "list 0-4 (item 0-1, item 3-4 (paragraph 3-4))"),
    ("blank line of spaces", "+\n  \n\tx\n", "list 0-2 (item 0-1), code 2-3 'x\\n'"),
    ("item of five spaces", "-     code\n", "list 0-1 (item 0-1 (code 0-1 'code\\n'))"),
    ("ordered 2 cannot interrupt", "a\n2. b\n", "paragraph 0-2"),
    ("ordered 1 interrupts", "a\n1. b\n", "paragraph 0-1, list 1-2 (item 1-2 (paragraph 1-2))"),
    ("empty item cannot interrupt", "a\n-\n", "heading 0-2"),
    (
        "new list on marker change",
        "- a\n+ b\n",
        "list 0-1 (item 0-1 (paragraph 0-1)), list 1-2 (item 1-2 (paragraph 1-2))",
    ),
    ("ten digits are text", "1234567890. a\n", "paragraph 0-1"),
    (
        "sublist stairs",
        "- a\n - b\n  - c\n   - d\n    - e\n",
        "list 0-5 (item 0-1 (paragraph 0-1), item 1-2 (paragraph 1-2), item 2-3 (paragraph 2-3), item 3-5 (paragraph 3-5))",
    ),
    # tabs: a tab partly taken by a container marker counts as the spaces left of it
    (
        "tab after nested quote",
        ">\t> -\t\t<pre>\n",
        "blockquote 0-1 (blockquote 0-1 (list 0-1 (item 0-1 (code 0-1 '<pre>\\n'))))",
    ),
    (
        "tab code in nested quote",
        "> > \t\tcode\n",
        "blockquote 0-1 (blockquote 0-1 (code 0-1 '\\tcode\\n'))",
    ),
    ("split tab in fence", "> ~~~\n>\t+ x\n", "blockquote 0-2 (fence 0-2 '  + x\\n')"),
    ("tab in item", "-\tfoo\n\n\tbar\n", "list 0-3 (item 0-3 (paragraph 0-1, paragraph 2-3))"),
    # fences and indented code
    ("unclosed fence owns the rest", "```\na\n\n", "fence 0-3 'a\\n\\n'"),
    ("unclosed fence, last line blank", "```\na\n  ", "fence 0-3 'a\\n  \\n'"),
    ("fence closed by longer run", "~~~\n~~\n~~~~\n", "fence 0-3 '~~\\n'"),
    ("fence indentation removed", "  ```\n   a\n b\n  ```\n", "fence 0-4 ' a\\nb\\n'"),
    (
        "fence ends with its item",
        "- ```\n  a\nb\n",
        "list 0-2 (item 0-2 (fence 0-2 'a\\n')), paragraph 2-3",
    ),
    ("backtick in backtick info", "``` a`b\n", "paragraph 0-1"),
    ("code keeps inner blanks", "    a\n\n    b\n\n", "code 0-3 'a\\n\\nb\\n'"),
    ("code cannot interrupt", "a\n    b\n", "paragraph 0-2"),
    # html blocks
    ("comment runs past blank", "<!--\n\n-->\nx\n", "html 0-3, paragraph 3-4"),
    ("kind 6 ends at blank", "<div>\na\n\nb\n", "html 0-2, paragraph 3-4"),
    ("kind 7 cannot interrupt", "a\n<span>\n", "paragraph 0-2"),
    ("kind 1 interrupts", "a\n<pre>\n", "paragraph 0-1, html 1-2"),
    # headings, breaks, line endings
    ("setext under lazy line", "> a\n===\n", "blockquote 0-2 (paragraph 0-2)"),
    ("thematic break beats item", "- - -\n", "hr 0-1"),
    ("lone CR ends a line", "# a\rb\r\nc\n", "heading 0-1, paragraph 1-3"),
]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [case[1:] for case in SPEC_CASES],
    ids=[case[0] for case in SPEC_CASES],
)
def test_spec_case_scans_to_expected_blocks(markdown: str, expected: str) -> None:
    assert outline(scan(markdown)) == expected


# -- hostile input ----------------------------------------------------------------------------

HOSTILE = {
    "quotes": ">" * 10_000 + " x\n",
    "bullets": "- " * 10_000 + "x\n",
    "ordered": "1. " * 10_000 + "x\n",
    "fence in quotes": ">" * 10_000 + "```\n" + ">" * 10_000 + "code\n",
    "quote lines": ("> " * 10_000 + "line\n") * 50,
    "stairs": "".join(" " * (2 * i) + "- x\n" for i in range(2_000)),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_deep_nesting_stops_at_the_cap(text: str) -> None:
    blocks = scan(text)
    assert 0 < depth(blocks) <= MAX_DEPTH


@pytest.mark.parametrize("marker", [">", "- ", "1) "])
def test_nesting_up_to_the_cap_is_kept(marker: str) -> None:
    text = marker * MAX_DEPTH + " x\n" + marker * MAX_DEPTH + "```\n"
    assert depth(scan(text)) == MAX_DEPTH
    assert shape(scan(text)) == shape(scan_with_markdown_it(text))


def test_markers_past_the_cap_are_paragraph_text() -> None:
    block = scan(">" * (MAX_DEPTH + 5) + " x\n")[0]
    for _ in range(MAX_DEPTH - 1):
        (block,) = block.children
    assert outline(block.children) == "paragraph 0-1"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("marker", [">", "- ", "1. "])
def test_deeply_nested_runbook_round_trips(marker: str) -> None:
    data = (marker * 10_000 + "```sh\n" + marker * 10_000 + "echo hi\n").encode()
    assert serialize(parse(data)) == data


LONG_LINES = {
    "label": "[" + "a" * 1_000_000 + "\n",
    "title": '[a]: /u "' + "t\n" * 200_000,
    "destination": "[a]: " + "(" * 31 + "x" * 1_000_000 + "\n",
    "tag": "<a" + ' b="c"' * 200_000 + "\n",
    "spaces": "- " * MAX_DEPTH + " " * 1_000_000 + "x\n",
    "backticks": "`" * 1_000_000 + "\n",
    "breaks": "- " + "* " * 500_000 + "\n",
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", LONG_LINES.values(), ids=LONG_LINES.keys())
def test_long_line_scans(text: str) -> None:
    assert scan(text)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_fifty_megabyte_document_scans() -> None:
    prose = "A line of prose about the deploy that wraps at about eighty characters or so.\n"
    command = "kubectl get pods --namespace payments --output wide | grep -v Running\n"
    chunk = (
        f'## Deploy\n\n{prose * 6}\n```sh {{"name":"pods"}}\n{command * 8}```\n\n'
        f"- check the pods\n- then the logs\n\n  ```sh\n  {command}  ```\n\n"
        f"> {prose}> {prose}\n<!-- note -->\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    )
    copies = 50_000_000 // len(chunk)
    assert len(scan(chunk * copies)) == 7 * copies
