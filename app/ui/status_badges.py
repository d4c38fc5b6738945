"""How a status looks: an icon whose *shape* differs per status, plus words.

Colour alone must never carry meaning (colour-blind users, greyscale printouts of
screenshots), so every status has its own shape and label; the colours only help.
Icons are painted at run time from the current palette so they stay legible in
both light and dark mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from app.controls.control_status import ControlStatus
from app.controls.results import Status


@dataclass(frozen=True)
class Look:
    label: str
    # "check", "cross", "warn", "ring", "accept", "seal", "clock", "dash", "page", "filed"
    shape: str
    light: str  # colour on a light background
    dark: str  # colour on a dark background
    # Lower sorts first: what needs attention comes first.
    rank: int


CONTROL_LOOKS: dict[ControlStatus, Look] = {
    ControlStatus.FAILING: Look("Failing", "cross", "#c62828", "#ef7a7a", 0),
    ControlStatus.ERROR: Look("Error", "warn", "#a15c00", "#f0b54a", 1),
    ControlStatus.STALE: Look("Sign-off stale", "clock", "#b34700", "#ffa366", 2),
    ControlStatus.NOT_CHECKED: Look("Not checked", "ring", "#616161", "#b0b0b0", 3),
    ControlStatus.EVIDENCE_MISSING: Look("Evidence missing", "page", "#6a4c93", "#c3a6ee", 3),
    ControlStatus.EVIDENCE_ATTACHED: Look("Evidence attached", "filed", "#1e5aa8", "#7fb0f0", 5),
    ControlStatus.EXCEPTION: Look("Exception", "accept", "#1e5aa8", "#7fb0f0", 4),
    ControlStatus.PASSING: Look("Passing", "check", "#2e7d32", "#7bd282", 5),
    ControlStatus.SIGNED_OFF: Look("Signed off", "seal", "#00695c", "#5fd3c2", 6),
}

RESULT_LOOKS: dict[Status, Look] = {
    Status.FAIL: Look("Fail", "cross", "#c62828", "#ef7a7a", 0),
    Status.ERROR: Look("Error", "warn", "#a15c00", "#f0b54a", 1),
    Status.PASS: Look("Pass", "check", "#2e7d32", "#7bd282", 2),
    Status.NOT_APPLICABLE: Look("Not applicable", "dash", "#616161", "#b0b0b0", 3),
}


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette if palette is not None else QApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def look_colour(look: Look, palette: QPalette | None = None) -> QColor:
    return QColor(look.dark if is_dark(palette) else look.light)


def _draw_shape(painter: QPainter, shape: str, colour: QColor, size: float) -> None:
    s = size
    fill_fg = QColor("#ffffff") if colour.lightness() < 140 else QColor("#000000")
    pen = QPen(fill_fg, s * 0.13, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    box = QRectF(s * 0.06, s * 0.06, s * 0.88, s * 0.88)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    if shape in ("check", "cross"):
        painter.drawEllipse(box)
    elif shape in ("accept", "seal"):
        painter.drawRoundedRect(box, s * 0.2, s * 0.2)
    elif shape == "warn":
        tri = QPainterPath(QPointF(s * 0.5, s * 0.04))
        tri.lineTo(s * 0.97, s * 0.92)
        tri.lineTo(s * 0.03, s * 0.92)
        tri.closeSubpath()
        painter.drawPath(tri)
    elif shape in ("page", "filed"):
        # A sheet of paper: empty while evidence is missing, lined once it is all there.
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, s * 0.12))
        painter.drawRoundedRect(
            box.adjusted(s * 0.14, s * 0.02, -s * 0.14, -s * 0.02), s * 0.08, s * 0.08
        )
        pen = QPen(colour, s * 0.1, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    elif shape in ("ring", "dash", "clock"):
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, s * 0.12))
        painter.drawEllipse(box.adjusted(s * 0.05, s * 0.05, -s * 0.05, -s * 0.05))
        pen = QPen(colour, s * 0.12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    if shape in ("check", "seal"):
        path = QPainterPath(QPointF(s * 0.28, s * 0.52))
        path.lineTo(s * 0.44, s * 0.68)
        path.lineTo(s * 0.73, s * 0.34)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        if shape == "seal":
            # A second tick below-left tells "signed off" from "passing" without colour.
            painter.drawLine(QPointF(s * 0.26, s * 0.8), QPointF(s * 0.74, s * 0.8))
    elif shape == "cross":
        painter.drawLine(QPointF(s * 0.33, s * 0.33), QPointF(s * 0.67, s * 0.67))
        painter.drawLine(QPointF(s * 0.67, s * 0.33), QPointF(s * 0.33, s * 0.67))
    elif shape == "warn":
        painter.drawLine(QPointF(s * 0.5, s * 0.38), QPointF(s * 0.5, s * 0.62))
        painter.drawPoint(QPointF(s * 0.5, s * 0.79))
    elif shape == "accept":
        painter.drawLine(QPointF(s * 0.3, s * 0.4), QPointF(s * 0.7, s * 0.4))
        painter.drawLine(QPointF(s * 0.3, s * 0.62), QPointF(s * 0.7, s * 0.62))
    elif shape == "filed":
        for y in (0.34, 0.52, 0.7):
            painter.drawLine(QPointF(s * 0.34, s * y), QPointF(s * 0.66, s * y))
    elif shape == "dash":
        painter.drawLine(QPointF(s * 0.33, s * 0.5), QPointF(s * 0.67, s * 0.5))
    elif shape == "clock":
        painter.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.28))
        painter.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.68, s * 0.6))


def status_icon(look: Look, palette: QPalette | None = None, size: int = 16) -> QIcon:
    """The look's shape in the palette-appropriate colour, crisp on HiDPI screens."""
    icon = QIcon()
    colour = look_colour(look, palette)
    for scale in (1, 2):
        pixmap = QPixmap(size * scale, size * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        _draw_shape(painter, look.shape, colour, float(size * scale))
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        icon.addPixmap(pixmap)
    return icon


def control_look(status: ControlStatus) -> Look:
    return CONTROL_LOOKS[status]


def result_look(status: Status) -> Look:
    return RESULT_LOOKS[status]
