"""Properties of the format that must hold for any document."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waypost.notebook import Identity, apply_identity, parse, serialize

WORDS = st.sampled_from(
    ["deploy", "the", "service", "`code`", "*em*", "**strong**", "[link](http://x)", "é", "世界",
     "$HOME", "a_b", "1.", "#", ">", "-", "~~~", "```", "<b>", "&amp;", "\\", "\t"]
)  # fmt: skip
LINE = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)


@st.composite
def fenced(draw: st.DrawFn) -> str:
    char = draw(st.sampled_from(["`", "~"]))
    fence = char * draw(st.integers(3, 5))
    lang = draw(st.sampled_from(["", "sh", "bash", "python", "js", "mermaid"]))
    attrs = draw(
        st.sampled_from(
            ["", ' {"name":"x"}', " { name=y interactive=false }", ' {"id":"01HF7BT3HD84GWTQB8ZCWPH803"}',
             ' {"transform":"false"}', ' title="t" {"name":"z","n":3}']
        )
    )  # fmt: skip
    body = draw(st.lists(st.one_of(LINE, st.just(""), st.just("``` inner")), max_size=4))
    closed = draw(st.booleans())
    lines = [fence + lang + attrs, *body]
    if closed:
        lines.append(fence)
    return "\n".join(lines)


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> str:
    options = [
        LINE.map(lambda t: "# " + t),
        LINE.map(lambda t: t + "\n" + "=" * 3),
        st.lists(LINE, min_size=1, max_size=3).map("\n".join),
        fenced(),
        st.lists(LINE, min_size=1, max_size=2).map(lambda ls: "\n".join("    " + x for x in ls)),
        st.just("---"),
        st.just("<!-- comment -->"),
        st.just("[ref]: http://example.com"),
    ]
    if depth < 2:
        inner = block(depth + 1)
        options.append(inner.map(lambda b: "\n".join("> " + x for x in b.split("\n"))))
        options.append(
            st.tuples(st.sampled_from(["- ", "* ", "1. ", "2) "]), LINE, inner).map(
                lambda t: (
                    t[0] + t[1] + "\n\n" + "\n".join(" " * len(t[0]) + x for x in t[2].split("\n"))
                )
            )
        )
    return draw(st.one_of(options))


@st.composite
def document(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(block(), max_size=6))
    gaps = [draw(st.sampled_from(["\n\n", "\n", "\n\n\n"])) for _ in blocks]
    text = "".join(b + g for b, g in zip(blocks, gaps, strict=True))
    if draw(st.booleans()):
        text = draw(st.sampled_from(["---\ntitle: x\n---\n\n", "+++\na = 1\n+++\n", ""])) + text
    if draw(st.booleans()):
        text = text.rstrip("\n")
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    if eol != "\n":
        text = text.replace("\n", eol)
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(document())
def test_unchanged_document_round_trips(text: str) -> None:
    data = text.encode()
    assert serialize(parse(data)) == data


@SETTINGS
@given(
    st.text(
        alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=400
    )
)
def test_any_text_round_trips(text: str) -> None:
    data = text.encode()
    assert serialize(parse(data)) == data


@SETTINGS
@given(document(), st.data())
def test_editing_one_cell_changes_no_byte_outside_it(text: str, data: st.DataObject) -> None:
    source = text.encode()
    notebook = parse(source)
    if not notebook.cells:
        return
    index = data.draw(st.integers(0, len(notebook.cells) - 1))
    cell = notebook.cells[index]
    new_value = data.draw(st.sampled_from(["echo edited", "two\nlines", "with ``` fence", ""]))
    out = serialize(notebook.replace_cell(index, cell.with_value(new_value)))
    start, end = cell.span.start, cell.span.end
    assert out[:start] == source[:start]
    assert out[len(out) - (len(source) - end) :] == source[end:]


@SETTINGS
@given(document())
def test_cell_identity_twice_is_the_same_as_once(text: str) -> None:
    once = serialize(apply_identity(parse(text.encode()), Identity.CELL))
    twice = serialize(apply_identity(parse(once), Identity.CELL))
    assert twice == once


@SETTINGS
@given(document())
def test_cell_identity_gives_every_fenced_code_cell_an_id(text: str) -> None:
    notebook = parse(serialize(apply_identity(parse(text.encode()), Identity.CELL)))
    for cell in notebook.code_cells:
        if cell.fenced:
            assert "id" in cell.attributes
