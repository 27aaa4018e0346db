"""Runme's TLS material: a self-signed CA pair for loopback, kept while valid, renewed otherwise."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from waypost.server.tls import load_or_generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("ext") / "tls"
    load_or_generate(directory)
    return directory


def _cert(directory: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate((directory / "cert.pem").read_bytes())


def test_a_missing_pair_is_created_private_for_loopback_client_and_server(generated: Path) -> None:
    assert stat.S_IMODE(generated.stat().st_mode) == 0o700
    for name in ("cert.pem", "key.pem"):
        assert stat.S_IMODE((generated / name).stat().st_mode) == 0o600
    cert = _cert(generated)
    assert cert.issuer == cert.subject  # self-signed
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH} <= set(usages)
    assert cert.public_key().key_size == 4096  # type: ignore[union-attr]


def test_a_valid_pair_is_kept(generated: Path) -> None:
    before = (generated / "cert.pem").read_bytes()
    assert load_or_generate(generated).cert_pem == before
    assert (generated / "cert.pem").read_bytes() == before


def _write_pair(directory: Path, *, expires_in: dt.timedelta) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - dt.timedelta(days=20)).not_valid_after(now + expires_in)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))  # fmt: skip


@pytest.mark.parametrize("case", ["expiring-in-3-days", "garbage", "key-of-another-pair"])
def test_an_unusable_pair_is_replaced(tmp_path: Path, case: str) -> None:
    directory = tmp_path / "tls"
    _write_pair(directory, expires_in=dt.timedelta(days=3 if case == "expiring-in-3-days" else 300))
    if case == "garbage":
        (directory / "cert.pem").write_text("not a certificate")
    if case == "key-of-another-pair":
        other = tmp_path / "other"
        _write_pair(other, expires_in=dt.timedelta(days=300))
        (directory / "key.pem").write_bytes((other / "key.pem").read_bytes())
    load_or_generate(directory)
    cert = _cert(directory)
    assert cert.subject != x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old")])
    assert cert.not_valid_after_utc - dt.datetime.now(dt.UTC) > dt.timedelta(days=29)
