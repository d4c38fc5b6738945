"""How to fix it: the catalogue's remediation steps, each snippet copyable in one click."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.controls.catalogue import RemediationStep


def plain_label(text: str, *, wrap: bool = True, name: str = "") -> QLabel:
    """A label that never interprets its text as markup (catalogue or user text alike)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def restyle(root: QWidget) -> None:
    """Re-resolve `palette(...)` in style sheets after a light/dark switch.

    Qt resolves them when a sheet is set, so chips and banners kept the old palette's
    light background on a dark window until set again.
    """
    for widget in root.findChildren(QWidget):
        sheet = widget.styleSheet()
        if "palette(" in sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)


class SnippetBox(QFrame):
    """A monospace, read-only snippet with a Copy button that puts it on the clipboard."""

    def __init__(self, title: str, snippet: str, language: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.snippet = snippet
        self.editor = QPlainTextEdit(snippet)
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.editor.setFont(font)
        self.editor.setAccessibleName(f"Snippet for {title}")
        lines = max(1, min(snippet.count("\n") + 1, 14))
        margins = int(self.editor.document().documentMargin() * 2) + self.editor.frameWidth() * 2
        # Room for a horizontal scroll bar, so a long line never hides the last one.
        scroll_bar = self.editor.horizontalScrollBar().sizeHint().height()
        self.editor.setFixedHeight(
            QFontMetrics(font).lineSpacing() * lines + margins + scroll_bar + 2
        )
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAccessibleName(f"Copy snippet: {title}")
        self.copy_button.setToolTip("Copy this snippet to the clipboard")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.copied = QLabel("")
        self.copied.setTextFormat(Qt.TextFormat.PlainText)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(language or "text"))
        bar.addStretch(1)
        bar.addWidget(self.copied)
        bar.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.editor)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.snippet)
        self.copied.setText("Copied")


class RemediationPanel(QScrollArea):
    """One block per step: title, explanation and, when there is one, the snippet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.snippets: list[SnippetBox] = []
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self.setWidget(self._body)

    def show_steps(self, steps: Sequence[RemediationStep]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.snippets = []
        if not steps:
            self._layout.addWidget(
                plain_label("The catalogue has no remediation for this control.")
            )
        for number, step in enumerate(steps, start=1):
            title = plain_label(f"{number}. {step.title}", name="stepTitle")
            font = title.font()
            font.setBold(True)
            title.setFont(font)
            self._layout.addWidget(title)
            if step.text:
                self._layout.addWidget(plain_label(step.text))
            if step.snippet:
                box = SnippetBox(step.title, step.snippet, step.snippet_language)
                self.snippets.append(box)
                self._layout.addWidget(box)
        self._layout.addStretch(1)
