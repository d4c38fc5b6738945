"""A user's own PKCS#12 file, shared by the signing tests and the Settings tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def own_pkcs12(
    path: Path, password: bytes, name: str = "Dana Auditee", *, expired: bool = False
) -> x509.Certificate:
    """A user's own certificate and key, as a CA or their company would hand them out."""
    key = ec.generate_private_key(ec.SECP384R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC) - (timedelta(days=400) if expired else timedelta(0))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"dana", key, certificate, None, serialization.BestAvailableEncryption(password)
        )
    )
    return certificate
