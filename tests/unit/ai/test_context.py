from __future__ import annotations

import pytest

from waypost.ai.context import CODE_TRUNCATED, OUTPUT_TRUNCATED, build_context, measure
from waypost.notebook import Cell, CellKind, CellOutput, parse


def notebook(n: int) -> list[Cell]:
    text = "".join(
        f"Step {i}: do the thing number {i}.\n\n```sh\necho step {i}\n```\n\n" for i in range(n)
    )
    return list(parse(text).cells)


@pytest.mark.parametrize("unit", ["chars", "tokens"])
@pytest.mark.parametrize("budget", [200, 500, 2000])
def test_budget_is_respected(unit: str, budget: int) -> None:
    cells = notebook(60)
    context = build_context(cells, len(cells) - 1, budget=budget, unit=unit)
    assert context.size <= budget
    assert measure(context.text, unit) == context.size


def test_selected_cell_is_kept_whole_and_last() -> None:
    cells = notebook(60)
    context = build_context(cells, 9, budget=300)
    assert context.text.endswith("```sh\necho step 4\n```")
    assert context.cells[-1].value == "echo step 4"
    assert "step 5" not in context.text  # nothing after the selected cell


def test_long_code_keeps_its_tail_with_a_marker() -> None:
    code = "\n".join(f"echo line {i}" for i in range(500))
    cells = [Cell(CellKind.CODE, code, language="sh")]
    context = build_context(cells, 0, budget=300)
    assert CODE_TRUNCATED in context.text
    assert "echo line 499" in context.text and "echo line 0\n" not in context.text
    assert context.size <= 300


def test_long_output_keeps_its_head_with_a_marker() -> None:
    output = "".join(f"row {i}\n" for i in range(2000)).encode()
    cells = [Cell(CellKind.CODE, "ls", language="sh", outputs=(CellOutput("text/plain", output),))]
    context = build_context(cells, 0, budget=400)
    assert "```output\nrow 0\nrow 1" in context.text
    assert OUTPUT_TRUNCATED in context.text and "row 1999" not in context.text


def test_outputs_are_fenced_as_output_blocks() -> None:
    cells = [
        Cell(CellKind.CODE, "date", language="sh", outputs=(CellOutput("text/plain", b"Mon\n"),))
    ]
    assert build_context(cells, 0, budget=1000).text == "```sh\ndate\n```\n\n```output\nMon\n```"


def test_runme_ui_outputs_are_left_out() -> None:
    outputs = (CellOutput("stateful.runme/terminal", b'{"ui":1}'), CellOutput("text/plain", b"ok"))
    cells = [Cell(CellKind.CODE, "x", language="sh", outputs=outputs)]
    assert "ui" not in build_context(cells, 0, budget=1000).text


def test_secret_values_are_masked_even_when_cut() -> None:
    secret = "s3cr3t-value-0123456789"
    code = "\n".join(
        ["echo start"] + [f"echo {i}" for i in range(200)] + [f"curl -H 'x: {secret}'"]
    )
    cells = [Cell(CellKind.CODE, code, language="sh")]
    for budget in (200, 5000):
        text = build_context(cells, 0, budget=budget, env={"API_TOKEN": secret}).text
        assert secret not in text and secret[5:] not in text
        assert "****" in text


def test_credentials_that_look_like_tokens_are_masked_without_env() -> None:
    cells = [
        Cell(
            CellKind.CODE,
            "curl https://admin:pa55word@db.example.com sk-abcdefghijklmnopqrstu",
            language="sh",
        )
    ]
    text = build_context(cells, 0, budget=1000, env={}).text
    assert "pa55word" not in text and "sk-abcdefghijklmnop" not in text


def test_unaccepted_suggestions_are_left_out() -> None:
    cells = [
        Cell(CellKind.MARKUP, "Do it"),
        Cell(CellKind.CODE, "echo ghost", language="sh", attributes={"_ghostCell": "true"}),
        Cell(CellKind.CODE, "echo real", language="sh"),
    ]
    text = build_context(cells, 2, budget=1000).text
    assert "ghost" not in text and "echo real" in text


def test_same_context_same_hash() -> None:
    cells = notebook(3)
    assert build_context(cells, 5, budget=999).hash == build_context(cells, 5, budget=999).hash
