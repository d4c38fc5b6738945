"""The status bar's progress bar and Cancel button for the running scan or binder export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

if TYPE_CHECKING:
    from app.ui.binder_export import BinderExporter
    from app.ui.scan_controller import ScanController


class TaskStatus(QWidget):
    """Hidden when idle; shows `text  [=====    ]  Cancel` while a task runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setAccessibleName("Task")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Task progress")
        self.bar.setMinimumWidth(200)
        self.bar.setMaximumWidth(280)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the running task")
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._cancel_target: ScanController | BinderExporter | None = None
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.hide()

    def follow_scans(self, scans: ScanController) -> None:
        scans.scan_started.connect(lambda _eid: self._start("Running checks", scans))
        scans.scan_progress.connect(self._on_progress)
        scans.scan_finished.connect(self._on_stopped)
        scans.scan_failed.connect(self._on_stopped)

    def follow_binder(self, binder: BinderExporter) -> None:
        binder.export_started.connect(lambda: self._start("Exporting binder", binder))
        binder.export_progress.connect(self._on_progress)
        binder.export_done.connect(self._on_stopped)

    def _start(self, text: str, target: ScanController | BinderExporter) -> None:
        self._cancel_target = target
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(True)
        self.show()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        if text:
            self.label.setText(text)

    def _on_stopped(self, *_: object) -> None:
        self._cancel_target = None
        self.hide()

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        if self._cancel_target is not None:
            self._cancel_target.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("Cancelling…")
