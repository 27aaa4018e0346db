from __future__ import annotations

from waypost.notebook.attributes import parse_info, render_info


def test_json_attributes_keep_their_order() -> None:
    info = parse_info('sh {"name":"a","interactive":"false"}')
    assert (info.language, info.format, list(info.attributes)) == (
        "sh",
        "json",
        ["name", "interactive"],
    )


def test_html_attributes_accept_quoted_values() -> None:
    info = parse_info("sh { name=x cwd=\"/a b\" title='t' bare }")
    assert info.attributes == {"name": "x", "cwd": "/a b", "title": "t", "bare": ""}


def test_mixed_html_and_json_pairs_are_both_read() -> None:
    info = parse_info('sh { cwd=.. "id":"01HF7BT3HD84GWTQB8ZCWPH803"}')
    assert info.attributes == {"cwd": "..", "id": "01HF7BT3HD84GWTQB8ZCWPH803"}


def test_empty_braces_are_not_attributes() -> None:
    info = parse_info("sh {} echo")
    assert info.attributes == {} and info.span is None


def test_nested_json_objects_are_one_block() -> None:
    info = parse_info('sh {"o":{"a":"b"},"name":"x"}')
    assert info.attributes == {"o": '{"a":"b"}', "name": "x"}


def test_rendered_html_values_with_spaces_are_quoted() -> None:
    original = parse_info("sh { name=x }")
    assert (
        render_info("sh", {"name": "x", "cwd": "/a b"}, original=original)
        == 'sh { name=x cwd="/a b" }'
    )


def test_internal_and_private_keys_are_never_written() -> None:
    out = render_info("sh", {"name": "x", "runme.dev/id": "1", "_hidden": "1", "index": "2"})
    assert out == 'sh {"name":"x"}'


def test_spaced_json_style_is_kept() -> None:
    original = parse_info('sh {"name": "x"}')
    assert render_info("sh", {"name": "y"}, original=original) == 'sh {"name": "y"}'
