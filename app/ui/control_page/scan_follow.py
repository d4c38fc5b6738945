"""The control page while a scan runs: the header says so (with progress), and the running
scan's provisional rows of the control on screen replace the table until it is stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from app.ui.context import ScanRunner
    from app.ui.control_page.page import ControlPage


class ScanFollower(QObject):
    def __init__(self, page: ControlPage, scans: ScanRunner) -> None:
        super().__init__(page)
        self._page = page
        self._scans = scans
        scans.scan_started.connect(self._on_scans_scan_started)
        scans.scan_progress.connect(self._on_scans_scan_progress)
        scans.scan_finished.connect(self._on_scans_scan_finished)
        scans.scan_failed.connect(self._on_scans_scan_failed)
        scans.results_arrived.connect(self._on_scans_results_arrived)

    def _on_scans_scan_started(self, engagement_id: int) -> None:
        self._page.set_running(True)
        if engagement_id == self._page.engagement_id:
            self._page.header.say("Checking… the new results appear here once the scan is stored.")

    def _on_scans_scan_progress(self, done: int, total: int, text: str) -> None:
        header = self._page.header
        if header.message.text().startswith("Checking"):
            header.say(f"Checking… {done} of {total}" + (f": {text}" if text else ""))

    def _on_scans_scan_finished(self, engagement_id: int) -> None:
        self._page.set_running(False)
        if engagement_id == self._page.engagement_id:
            # The new rows arrive through ctx.data_changed, emitted just before this.
            self._page.header.say("")

    def _on_scans_scan_failed(self, message: str) -> None:
        self._page.set_running(False)
        if self._page.header.message.text().startswith("Checking"):
            self._page.header.say(message)

    def _on_scans_results_arrived(self, control_id: str, _rows: object) -> None:
        if control_id == self._page.control_id:
            self.show_live()

    def show_live(self) -> None:
        """The running scan's rows of this control (ScanController.live_control), if any."""
        page, scans = self._page, self._scans
        eid, cid, snapshot = page.engagement_id, page.control_id, page.snapshot
        if eid is None or cid is None or snapshot is None or scans.live_engagement_id != eid:
            return
        live = scans.live_control(cid)
        if live is None:
            return
        page.results.show_live(snapshot.scans, live.lines)
        page.tabs.setTabText(1, f"Results ({len(live.lines)}, provisional)")
