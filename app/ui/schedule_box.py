"""The engagement dialog's "Scheduled scans": what `audit-binder schedule install | status |
remove` do, from the dialog (every day or every Monday, at HH:MM, with a profile).

The job is installed with the operating system's own scheduler (`app.services.schedulers`)
by `app.services.scheduled_scans`, in a worker: the scheduler's tools can take a while.
Expected trouble (a profile that cannot run unattended, a scheduler that refuses, the
store) is shown in the box; the status is read again after each change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTime, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.scheduled_scans import (
    DEFAULT_TIME,
    EVERY_CHOICES,
    Every,
    ScanSchedule,
    database_of,
    install_notes,
    install_scheduled_scan,
    remove_scheduled_scan,
    scan_job,
    scheduled_scan_status,
    status_lines,
)
from app.services.schedulers import Scheduler
from app.services.schedulers.job import SchedulerError
from app.store.errors import StoreError
from app.ui.control_page.remediation_panel import plain_label
from app.ui.workers import Progress, Worker

if TYPE_CHECKING:
    from app.ui.context import AppContext

DEFAULT_PROFILE = "(the default credentials)"


@dataclass(frozen=True)
class Outcome:
    """What a worker did: the lines to show, or the expected trouble that stopped it."""

    lines: tuple[str, ...] = ()
    problem: str = ""
    recorded: ScanSchedule | None = None  # the schedule recorded on the engagement


def _guarded(action: Callable[[], Outcome]) -> Outcome:
    try:
        return action()
    except (SchedulerError, StoreError) as error:
        return Outcome(problem=str(error))


class ScheduleBox(QGroupBox):
    """The scheduled scan of one stored engagement (`name`, `engagement_id`)."""

    def __init__(
        self,
        ctx: AppContext,
        engagement_id: int,
        name: str,
        scheduler: Scheduler,
        profiles: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Scheduled scans", parent)
        self.ctx, self.engagement_id, self.name = ctx, engagement_id, name
        self.scheduler = scheduler
        self.database = database_of(ctx.db)
        self.busy: Worker | None = None
        self.every = QComboBox()
        self.every.setAccessibleName("Scheduled scan runs")
        for every, label in EVERY_CHOICES:
            self.every.addItem(label, every.value)
        self.at = QTimeEdit(QTime(DEFAULT_TIME.hour, DEFAULT_TIME.minute))
        self.at.setDisplayFormat("HH:mm")
        self.at.setAccessibleName("Scheduled scan time (local)")
        self.profile = QComboBox()
        self.profile.setEditable(True)
        self.profile.setAccessibleName("AWS profile of the scheduled scan")
        self.profile.addItem(DEFAULT_PROFILE, "")
        for profile in profiles:
            self.profile.addItem(profile, profile)
        self.profile.setToolTip(
            "A role with credential_process or an instance role runs unattended for good; "
            "an IAM Identity Center session lasts hours (README: Scheduled scans)."
        )
        self.install_button = QPushButton("Install scheduled scan")
        self.install_button.setAccessibleName("Install the scheduled scan")
        self.remove_button = QPushButton("Remove it")
        self.remove_button.setAccessibleName("Remove the scheduled scan")
        self.status = plain_label("")
        self.status.setAccessibleName("Scheduled scan status")
        self.result = plain_label("")
        self.result.setAccessibleName("What the scheduler did")
        form = QFormLayout()
        when = QHBoxLayout()
        when.addWidget(self.every)
        when.addWidget(plain_label("at", wrap=False))
        when.addWidget(self.at)
        when.addStretch(1)
        form.addRow("Runs:", when)
        form.addRow("Profile:", self.profile)
        buttons = QHBoxLayout()
        buttons.addWidget(self.install_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                f"Runs the scan with your system's scheduler ({scheduler.kind}), with nobody "
                "there: it never prompts; a scan that "
                "cannot sign in is recorded as a failed scan with the reason."
            )
        )
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.result)
        self.install_button.clicked.connect(self._on_install_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        unavailable = scheduler.unavailable()
        if unavailable:
            self.result.setText(f"Cannot install here: {unavailable}")
        self.refresh_status()

    def chosen_profile(self) -> str | None:
        text = self.profile.currentText().strip()
        return None if text in ("", DEFAULT_PROFILE) else text

    def chosen_schedule(self) -> ScanSchedule:
        chosen = self.at.time()
        return ScanSchedule(Every(self.every.currentData()), time(chosen.hour(), chosen.minute()))

    # -- status --------------------------------------------------------------------------
    def refresh_status(self) -> None:
        def read() -> Outcome:
            found = scheduled_scan_status(self.ctx.db, self.name, self.database, self.scheduler)
            headline, lines = status_lines(
                found, self.scheduler.kind, self.database, datetime.now()
            )
            return Outcome((headline, *lines), recorded=found.schedule)

        self._run("read the schedule", read, self._on_status_read)

    def _on_status_read(self, outcome: Outcome) -> None:
        self.status.setText(outcome.problem or "\n".join(outcome.lines))
        recorded = outcome.recorded
        if recorded is not None:
            self.every.setCurrentIndex(self.every.findData(recorded.every.value))
            self.at.setTime(QTime(recorded.at.hour, recorded.at.minute))

    # -- changes -------------------------------------------------------------------------
    @Slot()
    def _on_install_button_clicked(self) -> None:
        try:
            job = scan_job(
                self.name, self.chosen_schedule(), self.database, profile=self.chosen_profile()
            )
        except StoreError as error:
            self.result.setText(f"Not installed: {error}")
            return
        actor = self.ctx.actor

        def install() -> Outcome:
            done = install_scheduled_scan(self.ctx.db, job, self.scheduler, actor=actor)
            notes = [*install_notes(job), *self.scheduler.hints()]
            return Outcome((f"Scheduled {job.describe()}:", *done, *notes))

        self._run("install", install, self._on_changed)

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        actor = self.ctx.actor

        def remove() -> Outcome:
            done = remove_scheduled_scan(
                self.ctx.db, self.name, self.database, self.scheduler, actor=actor
            )
            return Outcome(tuple(done or ["No scheduled scan was installed; nothing to remove."]))

        self._run("remove", remove, self._on_changed)

    def _on_changed(self, outcome: Outcome) -> None:
        if outcome.problem:
            self.result.setText(f"Could not do it: {outcome.problem}")
        else:
            self.result.setText("\n".join(outcome.lines))
            # The recorded schedule sets the ledger's gap threshold: screens re-read.
            self.ctx.notify_data_changed(self.engagement_id)
        self.refresh_status()

    def _run(
        self, what: str, action: Callable[[], Outcome], done: Callable[[Outcome], None]
    ) -> None:
        def task(_progress: Progress) -> Outcome:
            return _guarded(action)

        worker = Worker(task, name=f"scheduled scan: {what}")
        worker.signals.finished.connect(lambda outcome: self._finished(outcome, done))
        worker.signals.failed.connect(
            lambda error: self._finished(Outcome(problem=str(error)), done)
        )
        self.busy = worker
        for button in (self.install_button, self.remove_button):
            button.setEnabled(False)
        self.ctx.submit(worker)

    def _finished(self, outcome: object, done: Callable[[Outcome], None]) -> None:
        self.busy = None
        for button in (self.install_button, self.remove_button):
            button.setEnabled(True)
        if isinstance(outcome, Outcome):
            done(outcome)
