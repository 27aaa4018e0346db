from __future__ import annotations

from waypost.runner.mime import TEXT_PLAIN, sniff


def test_signatures_win():
    assert sniff(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"%PDF-1.7") == "application/pdf"


def test_text_markup_and_json():
    assert sniff(b"hello\n") == TEXT_PLAIN
    assert sniff(b'{"a": [1, 2]}\n') == "application/json"
    assert sniff(b"{not json") == TEXT_PLAIN
    assert sniff(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>") == "image/svg+xml"
    assert sniff(b"<!DOCTYPE html><html></html>").startswith("text/html")


def test_binary_is_octet_stream_but_a_cut_character_is_still_text():
    assert sniff(b"\x00\x01\x02binary") == "application/octet-stream"
    assert sniff("héllo".encode()[:2]) == TEXT_PLAIN
