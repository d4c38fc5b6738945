"""The control page's "Across the audit period": per account, the ledger's sentence and a
timeline strip (`period_strip`). Only for automated controls: a manual control's period
is its evidence's due dates, shown on the evidence tab."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services.control_period import ControlPeriod
from app.services.ledger_model import LedgerWindow
from app.services.ledger_words import full_date
from app.ui.control_page.period_strip import PeriodStrip
from app.ui.control_page.remediation_panel import plain_label

LEGEND = (
    "Tall marks: failed, error or exception; short marks: passed; red band: failing; "
    "hatched: no complete scan (a coverage gap); ✕ below: failed scan; ○ below: "
    "incomplete scan (neither counts); dotted line: today. Point at a mark for its date and "
    "verdict."
)


def period_heading(period: ControlPeriod) -> str:
    if not period.window.period_set:
        return (
            "No audit period is set for this engagement: the ledger uses all scans. "
            "Set one in the engagement to judge a Type II period."
        )
    return f"Counted over {period.description}: complete scans only."


def _edges(window: LedgerWindow, strip: PeriodStrip) -> tuple[str, str]:
    start = window.period_start or (strip.marks[0].start.date() if strip.marks else None)
    end = window.period_end or window.until.date()
    return (full_date(start) if start else "", full_date(end))


class PeriodBox(QGroupBox):
    """Shows a `ControlPeriod`: a sentence and a strip per account."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Across the audit period", parent)
        self.setAccessibleName("The control across the audit period")
        self.heading = plain_label("")
        self.heading.setAccessibleName("Which scans the period ledger counts")
        self.legend = plain_label(LEGEND, name="emptyState")
        self.rows = QVBoxLayout()
        self.strips: list[PeriodStrip] = []
        self.sentences: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.heading)
        layout.addLayout(self.rows)
        layout.addWidget(self.legend)

    def show_period(self, period: ControlPeriod | None, control_title: str) -> None:
        self._clear()
        if period is None or not period.automated:
            self.setVisible(False)
            return
        self.setVisible(True)
        self.heading.setText(period_heading(period))
        if not period.ledgers:
            none = plain_label("No account has been scanned for this control yet.")
            self.rows.addWidget(none)
            self.sentences.append(none)
        for ledger in period.ledgers:
            sentence = plain_label(f"Account {ledger.account_id}: {ledger.sentence}")
            sentence.setAccessibleName(f"Account {ledger.account_id} across the period")
            strip = PeriodStrip()
            strip.show_ledger(ledger, period.window, control_title)
            first, last = _edges(period.window, strip)
            dates = QHBoxLayout()
            dates.addWidget(plain_label(first, wrap=False))
            dates.addStretch(1)
            dates.addWidget(plain_label(last, wrap=False))
            self.rows.addWidget(sentence)
            self.rows.addWidget(strip)
            self.rows.addLayout(dates)
            self.strips.append(strip)
            self.sentences.append(sentence)
        self.legend.setVisible(bool(period.ledgers))

    def _clear(self) -> None:
        self.strips, self.sentences = [], []
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item is None:
                continue
            widget, inner = item.widget(), item.layout()
            if widget is not None:
                widget.deleteLater()
            elif inner is not None:
                while inner.count():
                    child = inner.takeAt(0)
                    gone = child.widget() if child is not None else None
                    if gone is not None:
                        gone.deleteLater()
                inner.deleteLater()
