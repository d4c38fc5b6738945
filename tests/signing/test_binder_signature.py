"""The binder's signature: pyHanko's own validator accepts it, and `verify` fails, with
the reason, on any byte changed or appended after signing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfWriter
from pypdf.annotations import FreeText

from app.cli import main
from app.report.binder import export_binder
from app.signing.identity import SigningIdentity, new_identity
from app.signing.keystore import IdentityStore
from app.store.database import open_database
from tests.cli.helpers import Ran, make_database, run_cli
from tests.conftest import isolated


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SigningIdentity]:
    """A binder exported by `audit-binder export` (once for the module: a few seconds),
    and the installation identity that first export created and signed it with."""
    folder = tmp_path_factory.mktemp("exported")
    with isolated(folder):
        db = make_database(folder / "db.sqlite3", "Acme")
        out = folder / "binder.pdf"
        assert main(["export", "--engagement", "Acme", "--pdf", str(out), "--db", str(db)]) == 0
        identity = IdentityStore().load()
    assert identity is not None
    return out, identity


@pytest.fixture
def binder(exported: tuple[Path, SigningIdentity], tmp_path: Path) -> Path:
    """This test's copy of the exported binder, to tamper with."""
    copy = tmp_path / "binder.pdf"
    shutil.copyfile(exported[0], copy)
    return copy


@pytest.fixture
def signer(exported: tuple[Path, SigningIdentity]) -> SigningIdentity:
    return exported[1]


def _verify(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> Ran:
    return run_cli(capsys, "verify", str(path), *extra)


def _signature_line(ran: Ran) -> str:
    return ran.out.splitlines()[0]


def test_pyhankos_own_validator_accepts_the_signature(
    binder: Path, signer: SigningIdentity
) -> None:
    certificate = signer.certificate
    reader = PdfFileReader(io.BytesIO(binder.read_bytes()))
    (signature,) = reader.embedded_signatures
    trust = ValidationContext(trust_roots=[signature.signer_cert], allow_fetching=False)

    status = validate_pdf_signature(signature, trust)

    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert status.md_algorithm == "sha256"
    assert signature.signer_cert.dump() == certificate.public_bytes(Encoding.DER)


def test_verify_says_the_signature_first_then_every_hash_then_the_digest(
    binder: Path, signer: SigningIdentity, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = _verify(capsys, binder)

    assert ran.code == 0
    first = _signature_line(ran)
    assert first.startswith("Signature: OK: covers the whole file and is intact; signed by ")
    assert signer.fingerprint.upper()[:2] + ":" in first
    assert "the signer's claim: no timestamp authority" in first
    assert ran.out.splitlines()[-2].startswith("Digest: OK: ")


def test_one_flipped_byte_fails_verify(binder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(binder.read_bytes())
    data[len(data) // 3] ^= 0x01
    binder.write_bytes(bytes(data))

    ran = _verify(capsys, binder)

    assert ran.code == 1
    assert "Signature: FAILED: the signed bytes were changed" in _signature_line(ran)
    assert ran.err.startswith(f"ALTERED: {binder}")


def test_bytes_appended_after_the_signature_fail_verify(
    binder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binder.write_bytes(binder.read_bytes() + b"\n% a comment\n")

    ran = _verify(capsys, binder)

    assert ran.code == 1
    assert "13 bytes appended after the signature" in _signature_line(ran)


def test_an_incremental_update_changing_only_metadata_fails_verify(
    binder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(binder.read_bytes()))
    writer.set_info(
        generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("x")})
    )
    updated = io.BytesIO()
    writer.write(updated)
    binder.write_bytes(updated.getvalue())

    ran = _verify(capsys, binder)

    assert ran.code == 1
    assert "an incremental update (1 more revision(s)" in _signature_line(ran)
    # Only the signature notices: pages, evidence and digest are as they were.
    assert [line for line in ran.out.splitlines() if "FAILED" in line] == [_signature_line(ran)]


def test_an_incremental_update_adding_an_annotation_fails_verify(
    binder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = PdfWriter(io.BytesIO(binder.read_bytes()), incremental=True)
    writer.add_annotation(0, FreeText(text="approved", rect=(50, 50, 200, 100)))
    updated = io.BytesIO()
    writer.write(updated)
    binder.write_bytes(updated.getvalue())

    ran = _verify(capsys, binder)

    assert ran.code == 1
    assert "an incremental update" in _signature_line(ran)
    assert "the file was changed after it was signed" in _signature_line(ran)


def test_a_changed_byte_in_the_signatures_unsigned_padding_fails_verify(
    binder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = binder.read_bytes()
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    assert data[end - 4 : end] == b"0000"  # the zero padding after the CMS object
    binder.write_bytes(data[: end - 2] + b"1" + data[end - 1 :])

    ran = _verify(capsys, binder)

    assert ran.code == 1
    assert "bytes inside the signature's contents were changed" in _signature_line(ran)


def test_a_binder_cut_back_to_before_its_signature_fails_verify(
    binder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = binder.read_bytes()
    end_of_unsigned = data.rindex(b"%%EOF", 0, len(data) - 10) + len(b"%%EOF\n")
    binder.write_bytes(data[:end_of_unsigned])

    ran = _verify(capsys, binder)

    assert ran.code == 1
    assert "Signature: FAILED: none, but the binder was exported signed" in ran.out


def test_an_unsigned_binder_from_an_earlier_version_verifies_its_hashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_database(tmp_path / "db.sqlite3", "Acme")
    out = tmp_path / "old.pdf"
    with open_database(db) as database, database.session() as session:
        export_binder(session, "Acme", out)  # no signer: as binders were before signing
    certificate = tmp_path / "cert.pem"
    identity, _ = IdentityStore().load_or_create("qa")
    certificate.write_bytes(identity.certificate_pem())

    ran = _verify(capsys, out)
    with_cert = _verify(capsys, out, "--cert", str(certificate))

    assert ran.code == 0
    assert _signature_line(ran).startswith("Signature: UNSIGNED: this binder is not signed")
    assert "(not signed)" in ran.out.splitlines()[-1]
    assert with_cert.code == 1
    assert "Signature: FAILED: none" in _signature_line(with_cert)


def test_verify_cert_requires_that_certificate(
    binder: Path, signer: SigningIdentity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine.pem"
    mine.write_bytes(signer.certificate_pem())
    other = tmp_path / "other.der"
    other.write_bytes(
        new_identity("mallory", "elsewhere", "").certificate.public_bytes(Encoding.DER)
    )

    good = _verify(capsys, binder, "--cert", str(mine))
    bad = _verify(capsys, binder, "--cert", str(other))

    assert good.code == 0 and "(the certificate given)" in _signature_line(good)
    assert bad.code == 1
    assert "not by the certificate given" in _signature_line(bad)
