"""The controls behind the current row; activating one opens its control page."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGroupBox,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.soa_view import TableLine, control_line

_CONTROL_ROLE = Qt.ItemDataRole.UserRole + 1


class ControlsList(QGroupBox):
    control_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Controls behind the row", parent)
        self.list = QListWidget()
        self.list.setAccessibleName("Controls behind the current row")
        self.list.setWordWrap(True)
        self.list.setMaximumHeight(120)
        self.open_button = QPushButton("Open control")
        self.open_button.setAccessibleName("Open the chosen control's page")
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.open_button)
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.list.currentRowChanged.connect(lambda row: self.open_button.setEnabled(row >= 0))
        self.show_line(None)

    def show_line(self, line: TableLine | None) -> None:
        self.list.clear()
        if line is None:
            self.setTitle("Controls behind the row")
        else:
            self.setTitle(f"Controls behind {line.criterion_id}")
            for ref in line.controls:
                item = QListWidgetItem(control_line(ref))
                item.setData(_CONTROL_ROLE, ref.id)
                item.setToolTip(item.text())
                self.list.addItem(item)
            if line.controls:
                self.list.setCurrentRow(0)
            else:
                self.list.addItem("No control of the catalogue covers it.")
        self.open_button.setEnabled(self.current_control() is not None)

    def current_control(self) -> str | None:
        item = self.list.currentItem()
        value = item.data(_CONTROL_ROLE) if item is not None else None
        return str(value) if value else None

    def ids(self) -> list[str]:
        found = (self.list.item(row).data(_CONTROL_ROLE) for row in range(self.list.count()))
        return [str(value) for value in found if value]

    @Slot(QListWidgetItem)
    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        value = item.data(_CONTROL_ROLE)
        if value:
            self.control_requested.emit(str(value))

    @Slot()
    def _on_open_button_clicked(self) -> None:
        control_id = self.current_control()
        if control_id is not None:
            self.control_requested.emit(control_id)
