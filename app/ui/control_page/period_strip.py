"""A control's timeline across the audit period: one strip per account.

Each complete scan is a mark in its status's colour and shape height; failure spans are
a band under the marks, coverage gaps are hatched, failed and incomplete scans are marks
of their own below the track (they are never scans for the ledger). Every mark has a
tooltip with its date and verdict; the strip's accessible description is the ledger's
sentence, so a screen reader hears what a sighted user reads beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from app.controls.control_status import ControlStatus
from app.services.ledger_model import ControlLedger, LedgerWindow
from app.services.ledger_words import duration, full_date
from app.ui.status_badges import control_look, look_colour

_MARGIN = 8.0
_TRACK_TOP = 6.0
_TRACK_HEIGHT = 18.0
_ATTEMPT_Y = 32.0  # centre of the failed/incomplete marks, below the track
_NEAR = 5.0  # pixels: how close the pointer must be to a mark for its tooltip
_VERDICTS = {
    ControlStatus.PASSING: "passed",
    ControlStatus.FAILING: "failed",
    ControlStatus.ERROR: "could not be checked (error)",
    ControlStatus.EXCEPTION: "failed, accepted as an exception",
    ControlStatus.NOT_CHECKED: "covered, but no result",
}


def when(at: datetime) -> str:
    return f"{full_date(at.date())} {at:%H:%M} UTC"


@dataclass(frozen=True)
class Mark:
    """Something with a tooltip on the strip: a scan, a failed attempt or a gap."""

    start: datetime
    end: datetime | None  # a gap's end; None for a mark at one moment
    text: str
    row: str  # "scan", "attempt" or "gap"
    status: ControlStatus | None = None
    incomplete: bool = False


def strip_marks(ledger: ControlLedger) -> list[Mark]:
    marks = [
        Mark(
            p.at, None, f"Scan #{p.scan_id}, {when(p.at)}: {_VERDICTS[p.status]}", "scan", p.status
        )
        for p in ledger.timeline
    ]
    for attempt in ledger.attempts:
        kind = "Incomplete scan" if attempt.incomplete else "Failed scan"
        reason = f": {attempt.error}" if attempt.error else ""
        text = f"{kind} #{attempt.scan_id}, {when(attempt.at)} (not counted){reason}"
        marks.append(Mark(attempt.at, None, text, "attempt", incomplete=attempt.incomplete))
    for gap in ledger.gaps:
        text = (
            f"No complete scan from {when(gap.start)} to {when(gap.end)} ({duration(gap.length)})"
        )
        if gap.failed_attempts:
            text += f"; {gap.failed_attempts} failed or incomplete attempt(s)"
        marks.append(Mark(gap.start, gap.end, text, "gap"))
    return marks


class PeriodStrip(QWidget):
    """One account's timeline of one control."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger: ControlLedger | None = None
        self.ledger_window: LedgerWindow | None = None
        self.marks: list[Mark] = []
        self._start = datetime.min
        self._end = datetime.min
        self.setMinimumHeight(42)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable, so its description is read

    def sizeHint(self) -> QSize:
        return QSize(480, 42)

    def show_ledger(self, ledger: ControlLedger, window: LedgerWindow, control_title: str) -> None:
        self.ledger, self.ledger_window = ledger, window
        self.marks = strip_marks(ledger)
        times = [m.start for m in self.marks] + [m.end for m in self.marks if m.end]
        self._start = window.start or min(times, default=window.until - timedelta(days=1))
        self._end = max([window.until, *times]) if window.end is None else window.end
        if self._end <= self._start:
            self._end = self._start + timedelta(days=1)
        self.setAccessibleName(f"{control_title} across the period, account {ledger.account_id}")
        self.setAccessibleDescription(ledger.sentence)
        self.setToolTip("")
        self.update()

    # -- geometry --------------------------------------------------------------------------
    def x_of(self, at: datetime) -> float:
        width = max(self.width() - 2 * _MARGIN, 1.0)
        share = (at - self._start) / (self._end - self._start)
        return _MARGIN + width * min(max(share, 0.0), 1.0)

    def mark_text_at(self, x: float, y: float) -> str:
        """The tooltip at a point: the nearest scan or attempt mark, else the gap under it."""
        row = "attempt" if y > _TRACK_TOP + _TRACK_HEIGHT + 2 else "scan"
        near = [
            (abs(self.x_of(m.start) - x), m)
            for m in self.marks
            if m.row == row and abs(self.x_of(m.start) - x) <= _NEAR
        ]
        if near:
            return min(near, key=lambda pair: pair[0])[1].text
        for mark in self.marks:
            if mark.end is not None and self.x_of(mark.start) <= x <= self.x_of(mark.end):
                return mark.text
        return ""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.mark_text_at(event.pos().x(), event.pos().y())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        if self.ledger is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        track = QRectF(_MARGIN, _TRACK_TOP, self.width() - 2 * _MARGIN, _TRACK_HEIGHT)
        painter.fillRect(track, palette.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawRect(track)
        self._paint_gaps(painter, palette)
        self._paint_spans(painter, palette)
        self._paint_marks(painter, palette)
        window = self.ledger_window
        if window is not None and window.end is not None and window.until < window.end:
            # The period is still running: the part after today is not a gap, only to come.
            x = self.x_of(window.until)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(x, _TRACK_TOP - 3), QPointF(x, _TRACK_TOP + _TRACK_HEIGHT + 3))
        painter.end()

    def _band(self, start: datetime, end: datetime, top: float, height: float) -> QRectF:
        left = self.x_of(start)
        return QRectF(left, top, max(self.x_of(end) - left, 2.0), height)

    def _paint_gaps(self, painter: QPainter, palette: QPalette) -> None:
        brush = QBrush(palette.color(QPalette.ColorRole.Text), Qt.BrushStyle.BDiagPattern)
        for gap in self.ledger.gaps if self.ledger else ():
            painter.fillRect(self._band(gap.start, gap.end, _TRACK_TOP, _TRACK_HEIGHT), brush)

    def _paint_spans(self, painter: QPainter, palette: QPalette) -> None:
        if self.ledger is None or self.ledger_window is None:
            return
        colour = QColor(look_colour(control_look(ControlStatus.FAILING), palette))
        colour.setAlpha(70)
        for span in self.ledger.spans:
            end = span.end or max(self.ledger_window.until, span.start)
            painter.fillRect(self._band(span.start, end, _TRACK_TOP, _TRACK_HEIGHT), colour)

    def _paint_marks(self, painter: QPainter, palette: QPalette) -> None:
        for mark in self.marks:
            x = self.x_of(mark.start)
            if mark.row == "scan" and mark.status is not None:
                colour = look_colour(control_look(mark.status), palette)
                # Shape as well as colour: failures reach the full height, passes half.
                tall = mark.status is not ControlStatus.PASSING
                top = _TRACK_TOP + (2 if tall else _TRACK_HEIGHT / 2)
                painter.fillRect(QRectF(x - 1.5, top, 3, _TRACK_TOP + _TRACK_HEIGHT - top), colour)
            elif mark.row == "attempt":
                painter.setPen(QPen(look_colour(control_look(ControlStatus.ERROR), palette), 1.6))
                centre = QPointF(x, _ATTEMPT_Y)
                if mark.incomplete:
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawEllipse(centre, 3.5, 3.5)
                else:
                    painter.drawLine(centre + QPointF(-3.5, -3.5), centre + QPointF(3.5, 3.5))
                    painter.drawLine(centre + QPointF(-3.5, 3.5), centre + QPointF(3.5, -3.5))
