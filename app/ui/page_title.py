"""The heading every main screen starts with: one look, one place."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def page_title(text: str) -> QLabel:
    """A bold label 1.4 times the body font (scales with the user's font settings)."""
    title = QLabel(text)
    font = QFont(title.font())
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    title.setFont(font)
    return title
