"""A signing identity: a private key and the certificate that names its holder.

The installation's own identity is an ECDSA P-256 key with a self-signed certificate
naming the user and the app (`new_identity`); PDF readers validate P-256 and the key is
small enough for every OS keyring. A user may sign with a certificate of their own
instead, from a PKCS#12 file (`load_pkcs12`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

APP = "Audit Binder"
VALIDITY = timedelta(days=3650)
SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class SigningError(Exception):
    """The binder cannot be signed (no usable key, a wrong password, an odd file)."""


@dataclass(frozen=True)
class SigningIdentity:
    """A key that can sign and its certificate. `source` says where the key is kept."""

    certificate: x509.Certificate
    private_key: SigningKey
    source: str
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate (DER), lowercase hex."""
        return certificate_fingerprint(self.certificate)

    @property
    def subject(self) -> str:
        return describe_subject(self.certificate)

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def spaced(fingerprint: str) -> str:
    """`AB:CD:…`: a fingerprint as certificate viewers print it."""
    upper = fingerprint.upper()
    return ":".join(upper[i : i + 2] for i in range(0, len(upper), 2))


def describe_subject(certificate: x509.Certificate) -> str:
    """The certificate's common name, else its whole subject."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        return str(names[0].value)
    return certificate.subject.rfc4514_string() or "(no subject)"


def new_identity(user: str, host: str, source: str) -> SigningIdentity:
    """A fresh P-256 key and a self-signed certificate naming `user` and the app."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{user} ({APP})"[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"{APP} on {host}"[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, APP),
        ]
    )
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # non-repudiation: what document signatures assert
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))  # a clock a little behind still works
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(certificate=certificate, private_key=key, source=source)


def load_pkcs12(path: Path, password: str | None) -> SigningIdentity:
    """The key and certificate in a PKCS#12 file (.p12/.pfx); the password is not kept."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    secret = password.encode("utf-8") if password else None
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, secret)
    except ValueError as exc:
        raise SigningError(
            f"{path} could not be opened: the password is wrong, or it is not a PKCS#12 "
            "(.p12/.pfx) file."
        ) from exc
    if certificate is None or key is None:
        raise SigningError(f"{path} holds no private key with its certificate.")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise SigningError(
            f"{path} holds a {type(key).__name__} key; binders are signed with ECDSA or RSA."
        )
    return SigningIdentity(
        certificate=certificate,
        private_key=key,
        source=f"the PKCS#12 file {path}",
        chain=tuple(chain),
    )


def load_certificate(path: Path) -> x509.Certificate:
    """A certificate from a PEM or DER file (what an auditor is handed)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise SigningError(f"{path} is not an X.509 certificate (PEM or DER).") from exc


def private_key_pem(key: SigningKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def load_private_key(pem: str) -> SigningKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise SigningError("The stored signing key is not an ECDSA or RSA key.")
    return key
