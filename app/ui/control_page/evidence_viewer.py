"""The evidence behind a result row: which API call, with what, where, when, what came back."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.evidence import iso_utc
from app.services.control_model import ResultLine


def pretty_json(value: Any) -> str:
    """Indented, key-sorted JSON; anything not JSON-safe is shown as its text."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def evidence_text(line: ResultLine) -> str:
    """The row and each call that decided it, as plain text an auditor can paste."""
    parts = [
        f"Result: {line.status.value}  ({line.check_id})",
        f"Resource: {line.resource}",
        f"Region: {line.region}" + (f"   Account: {line.account_id}" if line.account_id else ""),
        f"Detail: {line.detail}",
    ]
    if line.accepted:
        parts.append("Accepted: an active exception covers this resource (see Exceptions).")
    if not line.evidence:
        parts.append("\nNo API call recorded for this row.")
    for number, call in enumerate(line.evidence, start=1):
        parts += [
            "",
            f"— Call {number} of {len(line.evidence)} —",
            f"API call: {call.operation}",
            f"Region: {call.region}",
            f"Time (UTC): {iso_utc(call.collected_at)}",
            "Parameters:",
            pretty_json(dict(call.parameters)),
            "Response excerpt:",
            pretty_json(call.excerpt),
        ]
    return "\n".join(parts)


class EvidenceViewer(QWidget):
    """Read-only, selectable, copyable text of the selected row's evidence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = QLabel("Evidence")
        self._title.setObjectName("sectionTitle")
        self._copy = QPushButton("Copy evidence")
        self._copy.setAccessibleName("Copy evidence to clipboard")
        self._copy.setEnabled(False)
        self._copy.clicked.connect(self._on_copy_clicked)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Evidence of the selected result")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText("Select a result to see the API call behind it.")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        top = QHBoxLayout()
        top.addWidget(self._title)
        top.addStretch(1)
        top.addWidget(self._copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.text)

    def show_line(self, line: ResultLine | None) -> None:
        self.text.setPlainText("" if line is None else evidence_text(line))
        self._copy.setEnabled(line is not None)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
