"""TLS material for the gRPC server, loaded or created the way Runme does it.

``cert.pem`` and ``key.pem`` in a directory (0700; files 0600). They are (re)generated when missing,
unreadable, or expiring within seven days: a self-signed RSA-4096 CA certificate for ``127.0.0.1``
and ``localhost``, valid for 30 days, usable for client and server authentication. The server then
requires clients to present that same certificate (mutual TLS), as Runme's VS Code extension does.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TlsMaterial", "load_or_generate"]

_VALID_FOR = dt.timedelta(days=30)
_RENEW_BEFORE = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class TlsMaterial:
    cert_pem: bytes
    key_pem: bytes
    directory: Path


def load_or_generate(directory: Path) -> TlsMaterial:
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    material = _load(cert_path, key_path, directory)
    if material is None:
        material = _generate(directory)
        _write(key_path, material.key_pem)
        _write(cert_path, material.cert_pem)
    return material


def _load(cert_path: Path, key_path: Path, directory: Path) -> TlsMaterial | None:
    try:
        cert_pem, key_pem = cert_path.read_bytes(), key_path.read_bytes()
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (OSError, ValueError, TypeError):
        return None
    if cert.public_key().public_numbers() != key.public_key().public_numbers():  # type: ignore[union-attr]
        return None
    if cert.not_valid_after_utc - dt.datetime.now(dt.UTC) < _RENEW_BEFORE:
        return None
    return TlsMaterial(cert_pem, key_pem, directory)


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)


def _generate(directory: Path) -> TlsMaterial:
    key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Waypost"),
         x509.NameAttribute(NameOID.COMMON_NAME, "waypost")]
    )  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=True,
                key_cert_sign=True,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return TlsMaterial(
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        directory,
    )
