"""Export the PDF evidence binder in a worker, with progress, then offer to open it.

The binder is signed: with the user's own PKCS#12 file when Settings names one (its
password asked here, on the GUI thread, and never kept), else with the installation's
signing identity, loaded or created in the worker (the keyring may be slow).
It goes through `app.services.binder.write_binder`, which opens a session of the
worker's own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.report.binder import BinderSummary
from app.report.data import UnknownEngagement
from app.services.binder import write_binder
from app.signing.identity import SigningError, SigningIdentity, load_pkcs12
from app.signing.keystore import installation_identity
from app.store.errors import StoreError
from app.ui.context import AppContext, actor, get_engagement
from app.ui.workers import Progress, Worker


@dataclass(frozen=True)
class _Exported:
    summary: BinderSummary
    note: str  # says the installation's signing identity was just created, or ""


log = logging.getLogger(__name__)


class BinderExporter(QObject):
    export_started = Signal()
    export_progress = Signal(int, int, str)
    export_done = Signal(object)  # BinderSummary, or None when it failed / was cancelled

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._worker: Worker | None = None
        self._parent_widget: QWidget | None = None
        self.last_summary: BinderSummary | None = None
        self.last_error = ""

    @property
    def is_running(self) -> bool:
        return self._worker is not None

    def export_interactively(self, engagement_id: int, parent: QWidget | None = None) -> bool:
        """Ask where to save, then export; False when nothing was started."""
        try:
            info = get_engagement(self.ctx, engagement_id)
        except StoreError as exc:
            self.ctx.say(str(exc))
            return False
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in info.name).strip("-")
        suggested = Path.home() / f"{safe or 'engagement'}-binder.pdf"
        path = self.ctx.prompts.save_path(parent, "Export binder", suggested, "PDF (*.pdf)")
        if path is None:
            return False
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        self._parent_widget = parent
        return self.export(info.name, path)

    def _own_certificate(self) -> tuple[bool, SigningIdentity | None]:
        """(go on, the user's PKCS#12 identity when Settings names one, its password asked
        now; None for the installation's identity). Not going on: cancelled or failed."""
        chosen = self.ctx.settings.signing_pkcs12()
        if not chosen:
            return True, None
        path = Path(chosen)
        password = self.ctx.prompts.password(
            self._parent_widget, "Sign the binder", f"Password of {path.name}:"
        )
        if password is None:
            self.ctx.say("Binder export cancelled: no password for the signing certificate.")
            return False, None
        try:
            return True, load_pkcs12(path, password)
        except SigningError as exc:
            self.last_error = f"The binder was not exported: {exc}"
            self.ctx.say(self.last_error)
            return False, None

    def export(self, engagement_name: str, path: Path) -> bool:
        if self._worker is not None:
            self.ctx.say("The binder is already being exported.")
            return False
        go_on, own = self._own_certificate()
        if not go_on:
            return False
        db = self.ctx.db
        catalogue = self.ctx.catalogue
        who = actor(self.ctx)

        def task(progress: Progress) -> _Exported:
            def report(done: int, total: int, text: str) -> None:
                # The exporter writes atomically, so stopping between steps leaves no file.
                progress.token.raise_if_cancelled()
                progress(done, total, text)

            signer, note = (
                (own, "") if isinstance(own, SigningIdentity) else installation_identity(who)
            )
            summary = write_binder(
                db, engagement_name, path, report, catalogue=catalogue, signer=signer, actor=who
            )
            return _Exported(summary, note)

        worker = Worker(task, name=f"binder of {engagement_name}")
        worker.signals.progress.connect(self.export_progress)
        worker.signals.finished.connect(self._on_worker_finished)
        worker.signals.failed.connect(self._on_worker_failed)
        worker.signals.cancelled.connect(self._on_worker_cancelled)
        self._worker = worker
        self.export_started.emit()
        self.ctx.say(f"Exporting the binder to {path}…")
        self.ctx.submit(worker)
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    @Slot(object)
    def _on_worker_finished(self, done: Any) -> None:
        self._worker = None
        if not isinstance(done, _Exported):
            self.export_done.emit(None)
            return
        summary = done.summary
        self.last_summary = summary
        self.ctx.say(
            f"Binder written and signed: {summary.path} ({summary.pages} pages, "
            f"{summary.results} results, {summary.attachments} attachments)."
        )
        self.export_done.emit(summary)
        parts = [
            f"The binder was written to\n{summary.path}",
            f"{summary.pages} pages; evidence digest {summary.digest[:16]}…\nSigned by "
            f"{summary.signer} (certificate SHA-256 {summary.signer_fingerprint[:16]}…).",
            *([done.note] if done.note else []),
            *([summary.unlogged] if summary.unlogged else []),
            "Open it now?",
        ]
        question = "\n\n".join(parts)
        if self.ctx.prompts.confirm(self._parent_widget, "Binder exported", question, "Open"):
            self.ctx.prompts.open_file(summary.path)

    @Slot(object)
    def _on_worker_failed(self, error: object) -> None:
        self._worker = None
        if isinstance(error, OSError):
            message = f"The binder could not be written: {error}"
        elif isinstance(error, UnknownEngagement | StoreError | SigningError):
            message = str(error)
        else:
            log.error(
                "binder export failed", exc_info=error if isinstance(error, BaseException) else None
            )
            message = f"The binder export failed ({type(error).__name__}: {error}). See the log."
        self.last_error = message
        self.ctx.say(message)
        self.export_done.emit(None)

    @Slot()
    def _on_worker_cancelled(self) -> None:
        self._worker = None
        self.ctx.say("Binder export cancelled.")
        self.export_done.emit(None)
