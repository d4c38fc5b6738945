"""The installation's signing identity (created once, key in the OS keyring or a file only
the user can read) and signing with the user's own PKCS#12 file."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from keyring.backends.fail import Keyring as FailKeyring

from app.secrets import SERVICE, SIGNING_KEY
from app.signing.identity import certificate_fingerprint
from app.signing.keystore import IdentityStore
from tests.cli.helpers import Ran, make_database, run_cli
from tests.fakes.memory_keyring import MemoryKeyring
from tests.signing.helpers import own_pkcs12


def _export(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, *extra: str) -> Ran:
    db = tmp_path / "db.sqlite3"
    if not db.exists():
        make_database(db, "Acme")
    out = tmp_path / name
    return run_cli(
        capsys, "export", "--engagement", "Acme", "--pdf", str(out), "--db", str(db), *extra
    )


def _export_signed_with(
    p12: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> Ran:
    """Export signed with `p12`, its password in the environment variable P12_PASSWORD."""
    return _export(
        capsys, tmp_path, name, "--sign-with", str(p12), "--p12-password-env", "P12_PASSWORD"
    )


def test_the_first_export_creates_the_identity_in_the_keyring_and_later_ones_reuse_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_machine: MemoryKeyring
) -> None:
    first = _export(capsys, tmp_path, "one.pdf")
    second = _export(capsys, tmp_path, "two.pdf")

    assert first.code == second.code == 0
    assert "Created this installation's signing identity" in first.out
    assert "Created" not in second.out
    pem = isolated_machine.entries[(SERVICE, SIGNING_KEY)]
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    store = IdentityStore()
    assert not store.key_path.exists()  # the key is in the keyring, not on disk
    certificate = store.certificate()
    assert certificate is not None
    assert certificate.subject == certificate.issuer  # self-signed
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert "(Audit Binder)" in str(names[0].value)
    fingerprint = certificate_fingerprint(certificate)
    spaced = ":".join(fingerprint.upper()[i : i + 2] for i in range(0, 64, 2))
    assert spaced in first.out and spaced in second.out
    assert "the OS keyring" in first.out


def test_without_a_secure_keyring_the_key_is_a_file_only_the_user_can_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(FailKeyring())

    ran = _export(capsys, tmp_path, "binder.pdf")

    assert ran.code == 0, ran.err
    store = IdentityStore()
    assert stat.S_IMODE(store.key_path.stat().st_mode) == 0o600
    assert f"{store.key_path} (readable only by you: no secure keyring here)" in ran.out
    again = IdentityStore().load()
    assert again is not None and again.fingerprint == certificate_fingerprint(
        store.certificate()  # type: ignore[arg-type]
    )


def test_sign_with_a_supplied_pkcs12_and_verify_against_its_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    p12 = tmp_path / "dana.p12"
    certificate = own_pkcs12(p12, b"s3cret pass")
    pem = tmp_path / "dana.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    monkeypatch.setenv("P12_PASSWORD", "s3cret pass")

    ran = _export_signed_with(p12, capsys, tmp_path, "binder.pdf")
    checked = run_cli(capsys, "verify", str(tmp_path / "binder.pdf"), "--cert", str(pem))

    assert ran.code == 0, ran.err
    assert "Signed by: Dana Auditee, certificate SHA-256" in ran.out and "s3cret" not in ran.out
    assert "Created this installation's signing identity" not in ran.out
    assert IdentityStore().certificate() is None  # the installation's own was not needed
    assert checked.code == 0, checked.out
    assert "signed by Dana Auditee" in checked.out.splitlines()[0]


def test_a_wrong_pkcs12_password_or_no_way_to_ask_it_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    p12 = tmp_path / "dana.p12"
    own_pkcs12(p12, b"right")
    monkeypatch.setenv("P12_PASSWORD", "wrong")

    wrong = _export_signed_with(p12, capsys, tmp_path, "a.pdf")
    no_terminal = _export(capsys, tmp_path, "b.pdf", "--sign-with", str(p12))

    assert wrong.code == 1 and "the password is wrong" in wrong.err
    assert no_terminal.code == 1 and "--p12-password-env" in no_terminal.err
    assert not (tmp_path / "a.pdf").exists() and not (tmp_path / "b.pdf").exists()


def test_the_pkcs12_password_is_asked_on_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    p12 = tmp_path / "dana.p12"
    own_pkcs12(p12, b"typed")
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "typed")

    ran = _export(capsys, tmp_path, "binder.pdf", "--sign-with", str(p12))

    assert ran.code == 0, ran.err
    assert asked == [f"Password for {p12}: "]


def test_a_certificate_expired_before_the_signing_time_fails_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    p12 = tmp_path / "old.p12"
    own_pkcs12(p12, b"pw", expired=True)  # valid for a year, ending a month ago
    monkeypatch.setenv("P12_PASSWORD", "pw")
    ran = _export_signed_with(p12, capsys, tmp_path, "binder.pdf")
    assert ran.code == 0, ran.err

    checked = run_cli(capsys, "verify", str(tmp_path / "binder.pdf"))

    assert checked.code == 1
    first = checked.out.splitlines()[0]
    assert "the signer's certificate had expired at the signing time" in first
