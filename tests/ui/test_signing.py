"""Signing in the GUI: Settings shows the identity's fingerprint and exports its
certificate; a binder export signs with the installation's identity, or with the user's
own PKCS#12 file after asking its password (never kept)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.report.verify import verify_binder
from app.signing.identity import certificate_fingerprint, load_certificate, spaced
from app.signing.keystore import IdentityStore
from app.store.engagements import create_engagement
from app.ui.binder_export import BinderExporter
from app.ui.context import AppContext
from app.ui.settings_dialog import SettingsDialog
from tests.signing.helpers import own_pkcs12
from tests.ui.conftest import prompts


def _engagement(ctx: AppContext, name: str = "Acme") -> str:
    with ctx.db.session() as session:
        create_engagement(session, name, actor="qa")
    return name


def _export(ctx: AppContext, qtbot: QtBot, path: Path) -> BinderExporter:
    exporter = BinderExporter(ctx)
    prompts(ctx).confirms.append(False)  # "Open it now?"
    with qtbot.waitSignal(exporter.export_done, timeout=60000):
        assert exporter.export(_engagement(ctx), path)
    return exporter


def test_settings_show_the_fingerprint_and_export_the_certificate(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = SettingsDialog(ctx.settings, prompts=ctx.prompts)
    qtbot.addWidget(dialog)
    box = dialog.signing
    assert "created on the first export" in box.identity_label.text()
    assert not box.export_button.isEnabled()

    box.create_button.click()

    certificate = IdentityStore().certificate()
    assert certificate is not None
    assert spaced(certificate_fingerprint(certificate)) in box.identity_label.text()
    assert "Created this installation's signing identity" in box.note.text()
    target = tmp_path / "for-the-auditor.pem"
    prompts(ctx).paths.append(target)
    box.export_button.click()
    assert load_certificate(target) == certificate
    assert str(target) in box.note.text()
    dialog.show()
    dialog.grab().save(str(tmp_path / "settings.png"))


def test_a_gui_export_is_signed_with_the_installation_identity(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    exporter = _export(ctx, qtbot, tmp_path / "binder.pdf")

    assert exporter.last_summary is not None, exporter.last_error
    result = verify_binder(tmp_path / "binder.pdf")
    identity = IdentityStore().load()
    assert identity is not None and result.ok and result.signed
    assert result.signature is not None and result.signature.fingerprint == identity.fingerprint
    assert "Created this installation's signing identity" in prompts(ctx).asked[-1]


def test_a_gui_export_signs_with_the_users_pkcs12_after_asking_its_password(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    p12 = tmp_path / "dana.p12"
    certificate = own_pkcs12(p12, b"typed in the dialog")
    dialog = SettingsDialog(ctx.settings, prompts=ctx.prompts)
    qtbot.addWidget(dialog)
    dialog.signing.pkcs12_edit.setText(str(p12))
    dialog.buttons.accepted.emit()
    assert ctx.settings.signing_pkcs12() == str(p12)
    prompts(ctx).passwords.append("typed in the dialog")

    exporter = _export(ctx, qtbot, tmp_path / "binder.pdf")

    assert exporter.last_summary is not None, exporter.last_error
    assert exporter.last_summary.signer == "Dana Auditee"
    assert f"Password of {p12.name}:" in prompts(ctx).asked
    result = verify_binder(tmp_path / "binder.pdf", [certificate])
    assert result.ok and result.signed
    assert IdentityStore().certificate() is None  # the installation's own was not made
    assert "typed in the dialog" not in (tmp_path / "settings.ini").read_text()


def test_a_wrong_pkcs12_password_exports_nothing_and_says_why(
    ctx: AppContext, tmp_path: Path
) -> None:
    p12 = tmp_path / "dana.p12"
    own_pkcs12(p12, b"right")
    ctx.settings.set_signing_pkcs12(str(p12))
    prompts(ctx).passwords.append("wrong")

    exporter = BinderExporter(ctx)

    assert not exporter.export(_engagement(ctx), tmp_path / "binder.pdf")
    assert "the password is wrong" in exporter.last_error
    assert not (tmp_path / "binder.pdf").exists()
