"""The binder's PAdES B-B signature: applied and checked with pyHanko.

`sign_pdf` appends one signature covering the whole file as its last revision (an
incremental update, so the pages and embedded files before it are untouched).
`check_signature` validates it with pyHanko's own validator and insists on more than a
PDF reader does: exactly one signature, covering every byte of the file (anything
appended afterwards, even an incremental update that only changes metadata or adds an
annotation, fails), and nothing hidden in the padding of the signature's contents.

Offline there is no timestamp authority: the signing time is the signer's own claim,
and the certificate is judged as of that time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.signing.identity import SigningError, SigningIdentity, certificate_fingerprint

FIELD_NAME = "AuditBinderSignature"
# Document signatures assert one of these; a user's own certificate may carry either.
_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})


def sign_pdf(data: bytes, identity: SigningIdentity, *, reason: str) -> bytes:
    """`data` with one invisible PAdES B-B signature by `identity` appended."""
    certificate = translate_pyca_cryptography_cert_to_asn1(identity.certificate)
    chain = [translate_pyca_cryptography_cert_to_asn1(c) for c in identity.chain]
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=translate_pyca_cryptography_key_to_asn1(identity.private_key),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [certificate, *chain]
        ),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        name=identity.subject,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        signed = signers.sign_pdf(writer, metadata, signer=signer)
    except (PdfError, ValueError) as exc:
        raise SigningError(f"The binder could not be signed: {exc}") from exc
    return bytes(signed.getvalue())


@dataclass
class SignatureCheck:
    """What the binder's signature says; `problems` empty means it holds."""

    present: bool = False
    signer: str = ""
    fingerprint: str = ""
    signed_at: datetime | None = None
    certificate: x509.Certificate | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.present and not self.problems


def check_signature(data: bytes, trusted: Sequence[x509.Certificate] = ()) -> SignatureCheck:
    """Validate the signature of the PDF in `data`; with `trusted` certificates, also
    require that it was made by one of them (or a certificate they issued)."""
    result = SignatureCheck()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        result.present = b"/ByteRange" in data
        if result.present:
            result.problems.append(f"its signature cannot be read ({exc})")
        return result
    if not embedded:
        return result
    result.present = True
    if len(embedded) > 1:
        result.problems.append(f"it carries {len(embedded)} signatures; a binder has one")
    signature = embedded[-1]
    _describe_signer(result, signature)
    try:
        status = _validate(signature, trusted)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        result.problems.append(f"the signature could not be validated ({exc})")
        return result
    _judge(result, status, signature, len(data), trusted)
    return result


def _describe_signer(result: SignatureCheck, signature: EmbeddedPdfSignature) -> None:
    certificate = x509.load_der_x509_certificate(signature.signer_cert.dump())
    result.certificate = certificate
    result.fingerprint = certificate_fingerprint(certificate)
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    result.signer = str(names[0].value) if names else certificate.subject.rfc4514_string()
    result.signed_at = signature.self_reported_timestamp


def _validate(
    signature: EmbeddedPdfSignature, trusted: Sequence[x509.Certificate]
) -> PdfSignatureStatus:
    roots: list[asn1_x509.Certificate] = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trusted
    ] or [signature.signer_cert]
    context = ValidationContext(
        trust_roots=roots,
        other_certs=signature.other_embedded_certs,
        moment=signature.self_reported_timestamp,  # as of the (claimed) signing time
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    # The diff analysis only classifies what was appended; anything appended fails here.
    return validate_pdf_signature(signature, context, key_usage_settings=_KEY_USAGE, skip_diff=True)


def _judge(
    result: SignatureCheck,
    status: PdfSignatureStatus,
    signature: EmbeddedPdfSignature,
    size: int,
    trusted: Sequence[x509.Certificate],
) -> None:
    problems = result.problems
    if not status.intact:
        problems.append("the signed bytes were changed: their SHA-256 no longer matches")
    if not status.valid:
        problems.append("the signature value does not verify with the signer's certificate")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        end = _signed_end(signature)
        if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and end < size:
            later = signature.reader.xrefs.total_revisions - 1 - signature.signed_revision
            what = (
                f"an incremental update ({later} more revision(s), {size - end} bytes)"
                if later > 0
                else f"{size - end} bytes"
            )
            problems.append(
                f"{what} appended after the signature: the file was changed after it was signed"
            )
        else:
            problems.append("the signature does not cover the whole file")
    if not _padding_is_clean(signature):
        problems.append("bytes inside the signature's contents were changed after signing")
    if status.intact and status.valid and not status.trusted:
        problems.append(_trust_problem(result, status, trusted))
    elif status.intact and status.valid:
        problems.extend(_validity_problem(result))


def _validity_problem(result: SignatureCheck) -> list[str]:
    """A trusted certificate (a self-signed one, or the one given) is a trust anchor,
    whose validity period path validation does not check: judge it as of the claimed
    signing time here."""
    certificate, when = result.certificate, result.signed_at
    if certificate is None or when is None:
        return ["the signature carries no signing time to judge the certificate by"]
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if when < start:
        return [f"the signer's certificate was not yet valid at the signing time (from {start})"]
    if when > end:
        return [f"the signer's certificate had expired at the signing time (on {end})"]
    return []


def _signed_end(signature: EmbeddedPdfSignature) -> int:
    byte_range = [int(x) for x in signature.byte_range]
    return byte_range[2] + byte_range[3]


def _padding_is_clean(signature: EmbeddedPdfSignature) -> bool:
    """/Contents is the CMS object padded with zeros; the padding is not signed, so a
    change there would go unnoticed by the signature itself."""
    contents = bytes(signature.pkcs7_content)
    length = len(cms.ContentInfo.load(contents).dump())
    return not contents[length:].strip(b"\x00")


def _trust_problem(
    result: SignatureCheck, status: PdfSignatureStatus, trusted: Sequence[x509.Certificate]
) -> str:
    if trusted and result.fingerprint not in {certificate_fingerprint(c) for c in trusted}:
        wanted = ", ".join(certificate_fingerprint(c) for c in trusted)
        return (
            f"it was signed by {result.signer} (certificate SHA-256 {result.fingerprint}), "
            f"not by the certificate given (SHA-256 {wanted})"
        )
    indication = status.trust_problem_indic
    why = str(indication.standard_name) if indication is not None else "no valid path"
    when = result.signed_at.isoformat() if result.signed_at else "the signing time"
    return f"the signer's certificate was not valid for signing at {when} ({why})"
