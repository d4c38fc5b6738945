"""The GUI's composition root: logging, the excepthook, the store, the catalogue, the window.

`run_gui` is what `audit-binder` (no command) calls. `build_context` is the part tests
reuse: it opens the DB and loads the catalogue exactly as the app does, with the pool
and settings the caller injects. Every service is built here and handed down; no
module keeps a global.
"""

from __future__ import annotations

import importlib
import logging
import logging.handlers
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox, QSplashScreen

from app.aws.login import session_for_profile
from app.controls.catalogue import load_catalogue
from app.exit_codes import EXIT_FAILED
from app.paths import log_dir, resources_dir
from app.secrets import KeyringUnavailable, SecretStore
from app.services.team_store import with_saved_password
from app.store.database import open_database
from app.store.errors import StoreError
from app.store.location import StoreLocation, parse_location
from app.ui.context import AppContext, SignedIn
from app.ui.error_dialog import install_excepthook
from app.ui.settings import AppSettings
from app.ui.workers import TaskPool

log = logging.getLogger(__name__)


def configure_logging() -> Path | None:
    """Log to a rotating file in the user's log dir; None when that is not writable."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "audit-binder.log"
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path


def build_context(
    settings: AppSettings,
    pool: TaskPool,
    db_path: Path | StoreLocation | None = None,
    secrets: SecretStore | None = None,
) -> AppContext:
    """Open the DB and load the catalogue; raises `StoreError` (data untouched) on trouble.

    A team store's password comes from the keyring (else libpq's ~/.pgpass or service file).
    """
    keyring = secrets if secrets is not None else _secret_store()
    location = parse_location(db_path) if db_path is not None else settings.db_location()
    db = open_database(with_saved_password(location, keyring))
    try:
        return AppContext(
            db=db,
            catalogue=load_catalogue(),
            secrets=keyring,
            pool=pool,
            settings=settings,
            session_factory=session_for_profile,
        )
    except BaseException:
        db.close()
        raise


def _secret_store() -> SecretStore | None:
    """The keyring, or None when the system has none (the app works without client secrets)."""
    try:
        return SecretStore()
    except KeyringUnavailable as exc:
        log.warning("No usable keyring: %s", exc)
        return None


def start_demo(ctx: AppContext) -> None:
    """The one hook for `--demo`: the DEMO work's moto server, seeded account, engagement."""
    try:
        module = importlib.import_module("app.demo.session")
    except ModuleNotFoundError as exc:
        raise RuntimeError("This build has no demo environment (app.demo.session).") from exc
    splash = _demo_splash()
    try:
        environment = module.start_demo(progress=lambda text: _show_step(splash, text))
    except RuntimeError as exc:  # DemoError, MotoMissing: a message to act on, not a bug
        splash.close()
        log.warning("The demo could not start: %s", exc)
        QMessageBox.critical(None, "The demo account cannot start", str(exc))
        ctx.say(f"The demo could not start: {exc}")
        return
    finally:
        splash.close()
    # The demo has its own database, rebuilt on every run: demo data never mixes with
    # the user's engagements, so the context switches to it before any screen is built.
    ctx.db.close()
    ctx.db = open_database(environment.db_path)
    ctx.demo = environment
    ctx.set_signed_in(
        SignedIn(
            account_id=str(getattr(environment, "account_id", "")),
            arn=str(getattr(environment, "caller_arn", "")),
            profile=str(getattr(environment, "profile", "") or "demo"),
            kind="demo",
            make_session=getattr(environment, "make_session", None),
        )
    )
    engagement_id = getattr(environment, "engagement_id", None)
    if isinstance(engagement_id, int):
        ctx.set_engagement(engagement_id)


def _demo_splash() -> QSplashScreen:
    """Starting the demo (fake AWS, account, first scan) takes a while: say what happens."""
    icon = QPixmap(str(resources_dir() / "icons" / "audit-binder.png"))
    splash = QSplashScreen(icon if not icon.isNull() else QPixmap(256, 256))
    splash.show()
    _show_step(splash, "Starting the demo account…")
    return splash


def _show_step(splash: QSplashScreen, text: str) -> None:
    splash.showMessage(text, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter)
    QApplication.processEvents()


def stop_demo(ctx: AppContext) -> None:
    stop = getattr(ctx.demo, "stop", None)
    if callable(stop):
        stop()


def run_gui(demo: bool = False) -> int:
    from app.ui.main_window import MainWindow

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    app.setApplicationName("Audit Binder")
    app.setOrganizationName("audit-binder")
    app.setDesktopFileName("audit-binder")
    log_file = configure_logging()
    install_excepthook(log_file)
    settings = AppSettings()
    ctx = _open_until_ok(settings)
    if ctx is None:
        return EXIT_FAILED
    if demo:
        try:
            start_demo(ctx)
        except RuntimeError as exc:  # DemoError, MotoMissing: expected, with a message
            QMessageBox.critical(None, "The demo cannot start", str(exc))
            ctx.db.close()
            return EXIT_FAILED
    else:
        ctx.set_engagement(_existing_engagement(ctx, settings.last_engagement()))
    window = MainWindow(ctx)
    window.show()
    try:
        return app.exec()
    finally:
        ctx.workers.cancel_all()
        if demo:
            stop_demo(ctx)


def _open_until_ok(settings: AppSettings) -> AppContext | None:
    """Open the store; on expected trouble say why and offer another file (or quit)."""
    from app.ui.settings_dialog import SettingsDialog

    while True:
        try:
            return build_context(settings, QThreadPool.globalInstance())
        except StoreError as exc:
            # Corrupt, locked, newer schema...: the file was left untouched.
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                "The database cannot be opened",
                f"{exc}\n\nDatabase: {settings.db_display()}\n\nNothing was changed.",
            )
            other = box.addButton("Choose another database…", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            dialog = SettingsDialog(settings, secrets=_secret_store())
            if box.clickedButton() is not other or not dialog.exec():
                return None


def _existing_engagement(ctx: AppContext, engagement_id: int | None) -> int | None:
    from app.services.engagements import engagement_exists

    if engagement_id is None:
        return None
    return engagement_id if engagement_exists(ctx.db, engagement_id) else None
