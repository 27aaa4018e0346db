from __future__ import annotations

from waypost.ai.completion import cells_from_answer


def values(text: str) -> list[tuple[str, str]]:
    return [(c.kind.name, c.value) for c in cells_from_answer(text)]


def test_note_and_following_code_cells_are_kept() -> None:
    answer = (
        "Check first.\n\n```sh\nkubectl get pods\n```\n\n```sh\nkubectl logs x\n```\n\nThen stop."
    )
    assert values(answer) == [
        ("MARKUP", "Check first."),
        ("CODE", "kubectl get pods"),
        ("CODE", "kubectl logs x"),
    ]


def test_at_most_one_note_before_the_code() -> None:
    assert values("One.\n\nTwo.\n\n```sh\nls\n```") == [("MARKUP", "One.\n\nTwo."), ("CODE", "ls")]


def test_empty_and_nothing_answers_give_no_cells() -> None:
    for answer in ["", "  ", "NOTHING", "nothing to do.", "</output>", "<output>\n</output>"]:
        assert cells_from_answer(answer) == []


def test_output_blocks_and_empty_code_are_dropped() -> None:
    assert values("```sh\n\n```\n\n```output\n42\n```\n\n```sh\necho hi\n```") == [
        ("CODE", "echo hi")
    ]


def test_wrapping_tags_are_removed() -> None:
    assert values("<output>\n```bash\nls -la\n```\n</output>") == [("CODE", "ls -la")]


def test_each_cell_has_a_new_id_and_is_a_suggestion() -> None:
    a = cells_from_answer("```sh\nls\n```")[0]
    b = cells_from_answer("```sh\nls\n```")[0]
    assert a.id != b.id and len(a.id or "") == 26
    assert a.attributes == {"id": a.id, "_ghostCell": "true"}


def test_a_code_block_without_language_defaults_to_shell() -> None:
    assert cells_from_answer("```\nls\n```")[0].language == "sh"
