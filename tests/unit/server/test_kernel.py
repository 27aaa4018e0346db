"""The kernel's address forms (Runme's): TCP host and port, or a Unix socket."""

from __future__ import annotations

import pytest

from waypost.errors import UsageError
from waypost.server.kernel import Address, parse_address


@pytest.mark.parametrize(
    ("text", "expected", "target", "shown"),
    [
        ("localhost:7863", Address(host="localhost", port=7863), "localhost:7863", "127.0.0.1:7863"),
        ("127.0.0.1:7864", Address(host="127.0.0.1", port=7864), "127.0.0.1:7864", "127.0.0.1:7864"),
        ("tcp://localhost:7863", Address(host="localhost", port=7863), "localhost:7863", "127.0.0.1:7863"),
        ("[::1]:7863", Address(host="::1", port=7863), "[::1]:7863", "[::1]:7863"),
        ("0.0.0.0:0", Address(host="0.0.0.0", port=0), "0.0.0.0:0", "0.0.0.0:0"),
        ("unix:///tmp/runme-ab12.sock", Address(path="/tmp/runme-ab12.sock"),
         "unix:/tmp/runme-ab12.sock", "/tmp/runme-ab12.sock"),
        ("unix:/tmp/k.sock", Address(path="/tmp/k.sock"), "unix:/tmp/k.sock", "/tmp/k.sock"),
    ],
)  # fmt: skip
def test_runme_address_forms_are_understood(
    text: str, expected: Address, target: str, shown: str
) -> None:
    address = parse_address(text)
    assert address == expected
    assert address.target == target
    assert address.shown(address.port) == shown


@pytest.mark.parametrize("text", ["localhost", "localhost:http", "unix://", "host:99999", "a:1/x"])
def test_an_address_without_a_port_or_path_is_refused(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_address(text)
    assert caught.value.where == "--address"


@pytest.mark.parametrize(
    ("text", "loopback"),
    [("localhost:1", True), ("127.0.0.5:1", True), ("[::1]:1", True), ("unix:///x.sock", True),
     ("0.0.0.0:1", False), ("192.0.2.7:1", False), ("example.com:1", False), (":1", False)],
)  # fmt: skip
def test_loopback_addresses_are_recognised(text: str, loopback: bool) -> None:
    assert parse_address(text).is_loopback is loopback
