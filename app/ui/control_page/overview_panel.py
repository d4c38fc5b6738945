"""The control in our words: summary, why it matters, mapping chips, what the checks prove."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.controls.catalogue import Control
from app.ui.control_page.applicability_box import ApplicabilityBox
from app.ui.control_page.remediation_panel import plain_label

FRAMEWORK_CHIPS = (("iso27001", "ISO 27001"), ("soc2", "SOC 2"), ("scf", "SCF"))


def chip(framework: str, ref: str) -> QLabel:
    """A small framed tag such as "ISO 27001 A.8.20" (palette-coloured, not hard-coded)."""
    label = QLabel(ref)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setObjectName("mappingChip")
    label.setFrameShape(QFrame.Shape.StyledPanel)
    label.setAccessibleName(f"Mapped to {framework} {ref}")
    label.setStyleSheet(
        "QLabel#mappingChip { border: 1px solid palette(mid); border-radius: 8px;"
        " padding: 1px 8px; background: palette(alternate-base); }"
    )
    return label


def section_title(text: str) -> QLabel:
    label = plain_label(text, name="sectionTitle")
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


class OverviewPanel(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.summary = plain_label("")
        self.summary.setAccessibleName("Summary")
        self.why = plain_label("")
        self.why.setAccessibleName("Why it matters")
        self.inherited_title = section_title("Inherited from the cloud provider")
        self.inherited = plain_label("")
        self.inherited.setAccessibleName("What the cloud provider carries")
        self.chips_box = QVBoxLayout()
        self.checks = plain_label("")
        self.checks.setAccessibleName("What the automated checks prove")
        self.manual = plain_label("")
        self.manual.setAccessibleName("Manual evidence an auditor asks for")
        self.applicability = ApplicabilityBox()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.applicability)
        layout.addWidget(section_title("What it is"))
        layout.addWidget(self.summary)
        layout.addWidget(section_title("Why it matters"))
        layout.addWidget(self.why)
        layout.addWidget(self.inherited_title)
        layout.addWidget(self.inherited)
        layout.addWidget(section_title("Mapping"))
        layout.addLayout(self.chips_box)
        layout.addWidget(section_title("Automated checks"))
        layout.addWidget(self.checks)
        layout.addWidget(section_title("Evidence you add by hand"))
        layout.addWidget(self.manual)
        layout.addStretch(1)
        self.setWidget(body)
        self.chips: list[QLabel] = []

    def show_control(self, control: Control) -> None:
        self.summary.setText(control.summary)
        self.why.setText(control.why)
        inherited = control.inherited
        self.inherited_title.setVisible(inherited is not None)
        self.inherited.setVisible(inherited is not None)
        self.inherited.setText(
            f"{inherited.scope}\n\nThe provider's report: {inherited.report}" if inherited else ""
        )
        while self.chips_box.count():
            item = self.chips_box.takeAt(0)
            row = item.widget() if item is not None else None
            if row is not None:
                row.deleteLater()
        self.chips = []
        # One row per framework, so a long SCF list cannot push the page wider.
        for key, name in FRAMEWORK_CHIPS:
            refs = getattr(control.mapping, key)
            if not refs:
                continue
            row = QWidget()
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            caption = plain_label(f"{name}:", wrap=False)
            caption.setMinimumWidth(80)
            row_layout.addWidget(caption)
            for ref in refs:
                label = chip(name, ref)
                self.chips.append(label)
                row_layout.addWidget(label)
            row_layout.addStretch(1)
            self.chips_box.addWidget(row)
        self.checks.setText(
            "\n".join(f"• {c.title}: {c.proves}" for c in control.checks)
            or "No automated check: this control rests on the evidence you add."
        )
        self.manual.setText(
            "\n".join(f"• {m.title}: {m.description}" for m in control.manual_evidence)
            or "Nothing beyond the automated results."
        )
