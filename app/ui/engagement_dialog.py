"""Create or edit an engagement: client, frameworks, SOC 2 categories, audit period,
accounts, regions; a new one can start from another engagement's SoA decisions.

The dialog stays open on bad input and shows the store's message inline (a taken
name, an account id that is not 12 digits, a period that ends before it starts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.controls.catalogue import FRAMEWORKS, SOC2_CATEGORIES
from app.services.engagement_setup import DecisionSource
from app.services.engagements import AccountLine, EngagementDraft, EngagementInfo
from app.store.errors import StoreError
from app.ui.settings_dialog import parse_regions

SaveDraft = Callable[[EngagementDraft], None]
_ACCOUNT_ID = re.compile(r"^\d{12}$")


class EngagementDialog(QDialog):
    def __init__(
        self,
        save: SaveDraft,
        existing: EngagementInfo | None = None,
        default_regions: list[str] | None = None,
        parent: QWidget | None = None,
        sources: Sequence[DecisionSource] = (),
        schedule: QWidget | None = None,
    ) -> None:
        """`schedule`: the engagement's scheduled-scan box (`ScheduleBox`), when editing."""
        super().__init__(parent)
        self._save = save
        self._sources = {source.id: source for source in sources}
        self._editing = existing is not None
        editing = existing is not None
        self.setWindowTitle("Edit engagement" if editing else "New engagement")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()

        self.name_edit = self._line(form, "&Name:", "Engagement name", "e.g. Acme SOC 2 2026")
        self.client_edit = self._line(form, "&Client:", "Client", "e.g. Acme Ltd")

        frameworks = QHBoxLayout()
        self.framework_boxes: dict[str, QCheckBox] = {}
        for key, title in FRAMEWORKS.items():
            box = QCheckBox(title)
            box.setAccessibleName(f"Framework {title}")
            box.setChecked(True)
            self.framework_boxes[key] = box
            frameworks.addWidget(box)
        frameworks.addStretch(1)
        form.addRow("Frameworks:", frameworks)
        form.addRow("SOC 2 categories:", self._category_boxes())
        self.framework_boxes["soc2"].toggled.connect(self._on_soc2_box_toggled)
        self.start_from = QComboBox()
        self.start_from.setAccessibleName("Start from another engagement's decisions")
        self.start_from.addItem("Nothing: every Annex A control undecided", None)
        for source in sources:
            self.start_from.addItem(source.label, source.id)
        self.start_from.setToolTip(
            "Copies that engagement's Statement of Applicability decisions and SOC 2 "
            "categories. Not its approvals: the new SoA is a draft until approved."
        )
        self.start_from.currentIndexChanged.connect(self._on_start_from_changed)
        start_label = QLabel("&Start from:")
        start_label.setBuddy(self.start_from)
        form.addRow(start_label, self.start_from)
        # Decisions are copied into a new engagement only (one with none of its own).
        form.setRowVisible(self.start_from, not editing)

        self.period_box = QCheckBox("&Audit period")
        self.period_box.setAccessibleName("Set an audit period")
        self.start_edit = self._date("Audit period start")
        self.end_edit = self._date("Audit period end")
        period = QHBoxLayout()
        period.addWidget(self.start_edit)
        period.addWidget(QLabel("to"))
        period.addWidget(self.end_edit)
        period.addStretch(1)
        self.period_box.toggled.connect(self._on_period_box_toggled)
        form.addRow(self.period_box, period)

        self.regions_edit = self._line(
            form, "&Regions:", "Regions", "every enabled region (or e.g. eu-west-1, us-east-1)"
        )
        layout.addLayout(form)

        layout.addWidget(QLabel("AWS accounts in scope (12-digit id, optional name and profile):"))
        self.accounts = QTableWidget(0, 3)
        self.accounts.setAccessibleName("Accounts in scope")
        self.accounts.setHorizontalHeaderLabels(["Account id", "Name", "Profile"])
        self.accounts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.accounts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.accounts.setMinimumHeight(120)
        layout.addWidget(self.accounts)
        row_buttons = QHBoxLayout()
        self.add_account_button = QPushButton("Add &account")
        self.add_account_button.setAccessibleName("Add account")
        self.add_account_button.clicked.connect(lambda: self.add_account_row())
        self.remove_account_button = QPushButton("Re&move account")
        self.remove_account_button.setAccessibleName("Remove selected account")
        self.remove_account_button.clicked.connect(self._on_remove_account_clicked)
        row_buttons.addWidget(self.add_account_button)
        row_buttons.addWidget(self.remove_account_button)
        row_buttons.addStretch(1)
        layout.addLayout(row_buttons)
        self.schedule = schedule
        if schedule is not None:
            layout.addWidget(schedule)

        self.error_label = QLabel()
        self.error_label.setAccessibleName("Problem")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        if existing is not None:
            self._fill(existing)
        else:
            self.regions_edit.setText(", ".join(default_regions or []))
            today = date.today()
            self.start_edit.setDate(QDate(today.year, 1, 1))
            self.end_edit.setDate(QDate(today.year, 12, 31))
            self._on_period_box_toggled(False)

    # -- building -----------------------------------------------------------------------
    def _line(self, form: QFormLayout, label: str, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        buddy = QLabel(label)
        buddy.setBuddy(edit)
        form.addRow(buddy, edit)
        return edit

    def _category_boxes(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.category_boxes: dict[str, QCheckBox] = {}
        for key, title in SOC2_CATEGORIES.items():
            box = QCheckBox(title)
            box.setAccessibleName(f"SOC 2 category {title}")
            if key == "security":
                box.setChecked(True)
                box.setEnabled(False)
                box.setToolTip("Security (the common criteria) is in every SOC 2 examination.")
            self.category_boxes[key] = box
            row.addWidget(box)
        row.addStretch(1)
        return row

    def _set_categories(self, categories: Sequence[str]) -> None:
        for key, box in self.category_boxes.items():
            box.setChecked(key == "security" or key in categories)

    def _on_soc2_box_toggled(self, on: bool) -> None:
        for key, box in self.category_boxes.items():
            box.setEnabled(on and key != "security")

    def _on_start_from_changed(self, _index: int) -> None:
        source = self._sources.get(self.start_from.currentData())
        if source is not None:
            self._set_categories(source.soc2_categories)

    def _date(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(name)
        return edit

    def add_account_row(self, line: AccountLine | None = None) -> int:
        row = self.accounts.rowCount()
        self.accounts.insertRow(row)
        values = (line.account_id, line.alias, line.profile) if line else ("", "", "")
        for column, value in enumerate(values):
            self.accounts.setItem(row, column, QTableWidgetItem(value))
        self.accounts.setCurrentCell(row, 0)
        return row

    def _fill(self, info: EngagementInfo) -> None:
        self.name_edit.setText(info.name)
        self.client_edit.setText(info.client)
        for key, box in self.framework_boxes.items():
            box.setChecked(key in info.frameworks)
        self._set_categories(info.soc2_categories)
        has_period = info.period_start is not None or info.period_end is not None
        self.period_box.setChecked(has_period)
        for edit, value in ((self.start_edit, info.period_start), (self.end_edit, info.period_end)):
            if value is not None:
                edit.setDate(QDate(value.year, value.month, value.day))
        self._on_period_box_toggled(has_period)
        self.regions_edit.setText(", ".join(info.regions))
        for line in info.accounts:
            self.add_account_row(line)

    # -- reading ------------------------------------------------------------------------
    def _on_period_box_toggled(self, on: bool) -> None:
        self.start_edit.setEnabled(on)
        self.end_edit.setEnabled(on)

    def _on_remove_account_clicked(self) -> None:
        row = self.accounts.currentRow()
        if row >= 0:
            self.accounts.removeRow(row)

    def _cell(self, row: int, column: int) -> str:
        item = self.accounts.item(row, column)
        return item.text().strip() if item is not None else ""

    def draft(self) -> EngagementDraft:
        """The form as a draft; raises `ValueError` with a message for what it can tell."""
        frameworks = tuple(k for k, box in self.framework_boxes.items() if box.isChecked())
        if not frameworks:
            raise ValueError("Choose at least one framework.")
        good, bad = parse_regions(self.regions_edit.text())
        if bad:
            raise ValueError(f"Not a region name: {', '.join(bad)} (expected e.g. eu-west-1).")
        accounts: list[AccountLine] = []
        for row in range(self.accounts.rowCount()):
            account_id = self._cell(row, 0)
            if not account_id and not self._cell(row, 1):
                continue
            if not _ACCOUNT_ID.match(account_id):
                raise ValueError(f"'{account_id}' is not an AWS account id (12 digits).")
            accounts.append(AccountLine(account_id, self._cell(row, 1), self._cell(row, 2)))
        start = end = None
        if self.period_box.isChecked():
            start = self.start_edit.date().toPython()
            end = self.end_edit.date().toPython()
        return EngagementDraft(
            name=self.name_edit.text().strip(),
            client=self.client_edit.text().strip(),
            frameworks=frameworks,
            period_start=start if isinstance(start, date) else None,
            period_end=end if isinstance(end, date) else None,
            regions=tuple(good),
            accounts=tuple(accounts),
            soc2_categories=tuple(k for k, box in self.category_boxes.items() if box.isChecked()),
            start_from=None if self._editing else self.chosen_source(),
        )

    def chosen_source(self) -> int | None:
        value = self.start_from.currentData()
        return value if isinstance(value, int) else None

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _on_save(self) -> None:
        try:
            self._save(self.draft())
        except (ValueError, StoreError) as exc:
            self.show_error(str(exc))
            return
        self.accept()
