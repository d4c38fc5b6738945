"""Settings: opening a team store by URL. The password goes to the keyring (here the
in-memory one), never into the settings file, and the app opens the store with it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.secrets import SERVICE, SecretStore
from app.ui.launch import build_context
from app.ui.settings import AppSettings
from app.ui.settings_dialog import SettingsDialog
from app.ui.workers import ImmediatePool
from tests.fakes.memory_keyring import MemoryKeyring
from tests.postgres import PASSWORD, PASSWORD_ROLE, PgServer

URL = "postgresql://ana@db.example.com/audit"
KEY = "store:postgresql+psycopg://ana@db.example.com/audit"


def _dialog(qtbot: QtBot, tmp_path: Path, keyring: MemoryKeyring) -> SettingsDialog:
    dialog = SettingsDialog(AppSettings.at(tmp_path / "settings.ini"), secrets=SecretStore(keyring))
    qtbot.addWidget(dialog)
    return dialog


def _save(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_the_password_row_shows_only_for_a_server_url(
    qtbot: QtBot, tmp_path: Path, isolated_machine: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot, tmp_path, isolated_machine)
    dialog.show()
    assert not dialog.password_edit.isVisible()
    qtbot.keyClicks(dialog.db_edit, URL)
    assert dialog.password_edit.isVisible()
    dialog.db_edit.setText(str(tmp_path / "mine.sqlite3"))
    assert not dialog.password_edit.isVisible()


def test_a_typed_password_goes_to_the_keyring_not_the_settings(
    qtbot: QtBot, tmp_path: Path, isolated_machine: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot, tmp_path, isolated_machine)
    qtbot.keyClicks(dialog.db_edit, URL)
    qtbot.keyClicks(dialog.password_edit, "hunter2-pw")
    _save(dialog)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert dialog.settings.custom_db() == "postgresql+psycopg://ana@db.example.com/audit"
    assert isolated_machine.get_password(SERVICE, KEY) == "hunter2-pw"
    assert "hunter2" not in (tmp_path / "settings.ini").read_text()


def test_a_password_inside_the_url_is_moved_to_the_keyring(
    qtbot: QtBot, tmp_path: Path, isolated_machine: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot, tmp_path, isolated_machine)
    qtbot.keyClicks(dialog.db_edit, "postgresql://ana:hunter2-pw@db.example.com/audit")
    _save(dialog)
    assert dialog.settings.custom_db() == "postgresql+psycopg://ana@db.example.com/audit"
    assert isolated_machine.get_password(SERVICE, KEY) == "hunter2-pw"
    assert "hunter2" not in (tmp_path / "settings.ini").read_text()


def test_an_unusable_url_is_refused_and_nothing_saved(
    qtbot: QtBot, tmp_path: Path, isolated_machine: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot, tmp_path, isolated_machine)
    qtbot.keyClicks(dialog.db_edit, "mysql://ana:hunter2-pw@db/audit")
    _save(dialog)
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert "'mysql' is not supported" in dialog.error.text()
    assert "hunter2" not in dialog.error.text()
    assert dialog.settings.custom_db() == ""


def test_without_a_keyring_a_password_is_refused_with_the_way_out(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = SettingsDialog(AppSettings.at(tmp_path / "settings.ini"), secrets=None)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.db_edit, URL)
    qtbot.keyClicks(dialog.password_edit, "hunter2-pw")
    _save(dialog)
    assert "~/.pgpass" in dialog.error.text()
    assert dialog.settings.custom_db() == ""


def test_the_app_opens_the_team_store_with_the_password_from_the_keyring(
    qapp: object, qtbot: QtBot, tmp_path: Path, pg_server: PgServer, isolated_machine: MemoryKeyring
) -> None:
    location = pg_server.new_store()
    url = location.connect_url().set(username=PASSWORD_ROLE)
    dialog = _dialog(qtbot, tmp_path, isolated_machine)
    dialog.db_edit.setText(url.render_as_string(hide_password=False))
    dialog.password_edit.setText(PASSWORD)
    _save(dialog)
    settings = AppSettings.at(tmp_path / "settings.ini")
    ctx = build_context(settings, ImmediatePool(), secrets=SecretStore(isolated_machine))
    try:
        assert ctx.db.location.is_server
        assert ctx.db.location.connect_url().username == PASSWORD_ROLE
        assert PASSWORD not in settings.db_display() and PASSWORD not in str(ctx.db.location)
    finally:
        ctx.db.close()
        pg_server.drop(location)
    assert PASSWORD not in (tmp_path / "settings.ini").read_text()
