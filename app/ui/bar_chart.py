"""A small stacked bar chart drawn with QPainter (QtCharts is not in PySide6-Essentials).

One horizontal bar per framework, split into passed / failing / exceptions / not
checked. Colours come from the status looks (light or dark variant by palette); text
and axes use palette roles, so the chart reads in both light and dark mode. Each
segment also carries its number, so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.controls.control_status import ControlStatus
from app.ui.status_badges import control_look, look_colour


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    status: ControlStatus


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


class StackedBarChart(QWidget):
    """Draws `bars`; `set_bars` replaces them and repaints."""

    BAR_HEIGHT = 28
    GAP = 18

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: tuple[Bar, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setAccessibleName("Controls by status, per framework")

    def set_bars(self, bars: tuple[Bar, ...]) -> None:
        self._bars = bars
        # Screen readers get the numbers the picture shows.
        self.setAccessibleDescription(
            "; ".join(
                f"{bar.label}: " + ", ".join(f"{s.value} {s.label.lower()}" for s in bar.segments)
                for bar in bars
            )
        )
        self.updateGeometry()
        self.update()

    @property
    def bars(self) -> tuple[Bar, ...]:
        return self._bars

    def sizeHint(self) -> QSize:
        rows = max(1, len(self._bars))
        legend = self.fontMetrics().height() + 16
        return QSize(
            480, rows * (self.BAR_HEIGHT + self.GAP + self.fontMetrics().height()) + legend
        )

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        metrics = QFontMetrics(self.font())
        width = float(self.width() - 2)
        y = 1.0
        for bar in self._bars:
            painter.setPen(text)
            painter.drawText(QRectF(1, y, width, metrics.height()), bar.label)
            y += metrics.height() + 4
            self._draw_bar(painter, bar, QRectF(1, y, width, self.BAR_HEIGHT), palette)
            y += self.BAR_HEIGHT + self.GAP
        self._draw_legend(painter, y, palette)
        painter.end()

    def _draw_bar(self, painter: QPainter, bar: Bar, rect: QRectF, palette: QPalette) -> None:
        frame = palette.color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(frame, 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 4, 4)
        total = bar.total
        if total <= 0:
            return
        x = rect.left()
        for segment in bar.segments:
            if segment.value <= 0:
                continue
            w = rect.width() * segment.value / total
            part = QRectF(x, rect.top(), w, rect.height())
            colour = look_colour(control_look(segment.status), palette)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(part.adjusted(0.5, 0.5, -0.5, -0.5))
            label = str(segment.value)
            if QFontMetrics(painter.font()).horizontalAdvance(label) + 6 < w:
                painter.setPen(_readable_on(colour))
                painter.drawText(part, Qt.AlignmentFlag.AlignCenter, label)
            x += w

    def _draw_legend(self, painter: QPainter, y: float, palette: QPalette) -> None:
        if not self._bars:
            return
        metrics = QFontMetrics(painter.font())
        x = 1.0
        size = float(metrics.height() - 4)
        for segment in self._bars[0].segments:
            colour = look_colour(control_look(segment.status), palette)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(QRectF(x, y + 2, size, size))
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            x += size + 4
            painter.drawText(
                QRectF(x, y, 400, metrics.height()), Qt.AlignmentFlag.AlignLeft, segment.label
            )
            x += metrics.horizontalAdvance(segment.label) + 16


def _readable_on(colour: QColor) -> QColor:
    return QColor("#000000") if colour.lightness() > 140 else QColor("#ffffff")
