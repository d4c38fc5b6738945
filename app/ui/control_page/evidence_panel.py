"""Manual evidence: files (dialog, drag and drop, pasted screenshot) and the control's notes.

The panel only gathers what the user gives it and says so through signals; the page
reads big files in a worker and stores everything through the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QModelIndex,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.controls.catalogue import ManualEvidence
from app.evidence import iso_utc
from app.ui.control_page.overview_panel import section_title
from app.ui.control_page.remediation_panel import plain_label
from app.ui.control_page.snapshot import AttachmentInfo

ATTACHMENT_COLUMNS = (
    "Name",
    "Description",
    "Evidence of",
    "Size",
    "SHA-256",
    "Added by",
    "Added (UTC)",
)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def short_actor(actor: str) -> str:
    """`founder@example.com` for an assumed-role ARN; the full ARN stays in the tooltip."""
    return actor.rsplit("/", 1)[-1] if actor.startswith("arn:") else actor


def png_bytes(image: QImage) -> bytes:
    """The image encoded as PNG (lossless: a screenshot is evidence, keep every pixel)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The stubs want bytes; the binding wants str.
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


class EndElideDelegate(QStyledItemDelegate):
    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight


class EvidencePanel(QWidget):
    """Lists attachments and notes; emits what the user added or saved."""

    files_chosen = Signal(list)  # list[str]: local paths, from the dialog or a drop
    blob_added = Signal(str, bytes, str)  # name, content, media type (pasted/dropped image)
    notes_saved = Signal(str)
    remove_requested = Signal(int, str)  # attachment id, its name
    open_requested = Signal(int, str)  # attachment id, its name
    save_requested = Signal(int, str)  # attachment id, its name
    problem = Signal(str)  # expected trouble to show inline (e.g. nothing to paste)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._locked = False
        self._saved_notes = ""
        self._items: tuple[ManualEvidence, ...] = ()

        self.coverage = plain_label("")
        self.coverage.setAccessibleName("Manual evidence the catalogue asks for")
        self.item_choice = QComboBox()
        self.item_choice.setAccessibleName("New files are evidence of")
        self.add_button = QPushButton("Add files…")
        self.add_button.setAccessibleName("Add evidence files")
        self.paste_button = QPushButton("Paste screenshot")
        self.paste_button.setAccessibleName("Paste a screenshot from the clipboard")
        self.paste_button.setToolTip("Paste an image from the clipboard (Ctrl+Shift+V)")
        self.description = QLineEdit()
        self.description.setAccessibleName("Description of the files you add next")
        self.description.setPlaceholderText(
            "Optional: what the files show, e.g. 'Q3 restore test, signed off by ops'"
        )
        self.description.setMaxLength(500)
        self.drop_hint = plain_label("…or drop files or images anywhere on this tab.")
        self.table = QTableWidget(0, len(ATTACHMENT_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(ATTACHMENT_COLUMNS))
        self.table.setAccessibleName("Attached evidence files")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # Names keep their ends (the extension); a description reads from its start.
        self.table.setItemDelegateForColumn(1, EndElideDelegate(self.table))
        self.no_files = plain_label("", name="emptyState")
        self.no_files.setAccessibleName("No evidence files")
        # Oldest first, as added; the user can sort by any column.
        header.setSortIndicator(len(ATTACHMENT_COLUMNS) - 1, Qt.SortOrder.AscendingOrder)

        self.remove_button = QPushButton("Remove selected file…")
        self.remove_button.setAccessibleName("Remove the selected evidence file")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        # Reading a file never changes it: Open and Save a copy work on a locked control too.
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open the selected evidence file")
        self.open_button.setToolTip("Open a copy in the program your system uses for it (Enter)")
        self.save_copy_button = QPushButton("Save a copy…")
        self.save_copy_button.setAccessibleName("Save a copy of the selected evidence file")
        for button, signal in (
            (self.open_button, self.open_requested),
            (self.save_copy_button, self.save_requested),
        ):
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, wanted=signal: self._emit_selected(wanted))
        self.table.activated.connect(lambda _index: self._emit_selected(self.open_requested))
        self.table.itemSelectionChanged.connect(self._update_remove_button)

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes on this control")
        self.notes.setPlaceholderText(
            "Notes for the auditor: how this is done here, who owns it, where the records are."
        )
        self.notes.setTabChangesFocus(True)
        self.save_notes_button = QPushButton("Save notes")
        self.save_notes_button.setAccessibleName("Save notes")
        self.notes_state = plain_label("", wrap=False)

        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.paste_button.clicked.connect(self.paste_from_clipboard)
        self.save_notes_button.clicked.connect(self._on_save_notes_button_clicked)
        self.notes.textChanged.connect(self._on_notes_text_changed)
        paste = QShortcut(QKeySequence("Ctrl+Shift+V"), self)
        paste.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        paste.activated.connect(self.paste_from_clipboard)

        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Evidence of:"))
        buttons.addWidget(self.item_choice, 1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.paste_button)
        describe = QHBoxLayout()
        describe.addWidget(QLabel("Description:"))
        describe.addWidget(self.description, 1)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.open_button)
        remove_row.addWidget(self.save_copy_button)
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        notes_bar = QHBoxLayout()
        notes_bar.addWidget(section_title("Notes"))
        notes_bar.addStretch(1)
        notes_bar.addWidget(self.notes_state)
        notes_bar.addWidget(self.save_notes_button)
        layout = QVBoxLayout(self)
        layout.addWidget(section_title("Evidence the auditor will ask for"))
        layout.addWidget(self.coverage)
        layout.addLayout(buttons)
        layout.addLayout(describe)
        layout.addWidget(self.drop_hint)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.no_files)
        layout.addLayout(remove_row)
        self._file_buttons = (self.open_button, self.save_copy_button, self.remove_button)
        layout.addLayout(notes_bar)
        layout.addWidget(self.notes, 1)

    # -- showing -------------------------------------------------------------------------
    def show_evidence(
        self,
        items: Sequence[ManualEvidence],
        attachments: Sequence[AttachmentInfo],
        notes: str,
        draft: str | None = None,
    ) -> None:
        """Show the stored state; `draft` is unsaved text to keep in the editor."""
        self._items = tuple(items)
        chosen = self.item_choice.currentData()
        self.item_choice.clear()
        for item in items:
            self.item_choice.addItem(item.title, item.id)
        self.item_choice.addItem("General (no specific item)", "")
        if chosen is not None and self.item_choice.findData(chosen) >= 0:
            self.item_choice.setCurrentIndex(self.item_choice.findData(chosen))
        titles = {item.id: item.title for item in items}
        lines = []
        for item in items:
            count = sum(1 for a in attachments if a.evidence_item == item.id)
            state = f"✓ {count} file{'s' if count != 1 else ''}" if count else "○ nothing yet"
            lines.append(f"{state} — {item.title}: {item.description}")
        self.coverage.setText("\n".join(lines) or "The catalogue asks for no manual evidence.")
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(attachments))
        for row, att in enumerate(attachments):
            cells = (
                att.name,
                att.description,
                titles.get(att.evidence_item, att.evidence_item or "General"),
                human_size(att.size),
                att.sha256[:16] + "…",
                short_actor(att.added_by),
                iso_utc(att.added_at),
            )
            tips = {4: att.sha256, 5: att.added_by}
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(tips.get(column, text))
                cell.setData(Qt.ItemDataRole.UserRole, att.attachment_id)
                self.table.setItem(row, column, cell)
        self.table.setSortingEnabled(True)
        self._show_empty_state()
        # setPlainText: user notes are text, never markup to interpret.
        self._saved_notes = notes
        wanted = notes if draft is None else draft
        if self.notes.toPlainText() != wanted:
            self.notes.setPlainText(wanted)
        self._on_notes_text_changed()

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        for widget in (self.add_button, self.paste_button, self.item_choice, self.description):
            widget.setEnabled(not locked)
        self.notes.setReadOnly(locked)
        self.drop_hint.setVisible(not locked)
        self._show_empty_state()
        self._update_remove_button()
        self._on_notes_text_changed()

    def _show_empty_state(self) -> None:
        """No files: say how to add some (or why one cannot) instead of an empty table."""
        empty = self.table.rowCount() == 0
        self.table.setVisible(not empty)
        self.no_files.setVisible(empty)
        # The empty-state text already says how to add files.
        self.drop_hint.setVisible(not empty and not self._locked)
        for button in self._file_buttons:
            button.setVisible(not empty)
        self.no_files.setText(
            "No evidence files. The control is signed off: unlock it to add some."
            if self._locked
            else "No evidence files yet. Pick what they are evidence of, then use “Add files…”, "
            "paste a screenshot (Ctrl+Shift+V) or drop files on this tab."
        )

    @property
    def current_description(self) -> str:
        return self.description.text().strip()

    def choose_item(self, item_id: str) -> None:
        """Make new files evidence of this item (when the control asks for it)."""
        index = self.item_choice.findData(item_id)
        if index >= 0:
            self.item_choice.setCurrentIndex(index)

    @property
    def current_evidence_item(self) -> str:
        return str(self.item_choice.currentData() or "")

    @property
    def notes_dirty(self) -> bool:
        return self.notes.toPlainText() != self._saved_notes

    # -- adding --------------------------------------------------------------------------
    def paste_from_clipboard(self) -> None:
        if self._locked:
            return
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.problem.emit("The clipboard holds no image to paste.")
            return
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        self.blob_added.emit(f"screenshot-{stamp}.png", png_bytes(image), "image/png")

    def _on_add_button_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add evidence files")
        if paths:
            self.files_chosen.emit(list(paths))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        wanted = mime.hasImage() or any(url.isLocalFile() for url in mime.urls())
        if wanted and not self._locked:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if self._locked:
            event.ignore()
            return
        mime = event.mimeData()
        paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if paths:
            self.files_chosen.emit(paths)
        elif mime.hasImage():
            image = QImage(mime.imageData())
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            self.blob_added.emit(f"dropped-image-{stamp}.png", png_bytes(image), "image/png")
        else:
            event.ignore()
            return
        event.acceptProposedAction()

    def selected_attachment(self) -> tuple[int, str] | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        cell = self.table.item(min(rows), 0) if rows else None
        if cell is None:
            return None
        return int(cell.data(Qt.ItemDataRole.UserRole)), cell.text()

    def _update_remove_button(self) -> None:
        selected = self.selected_attachment() is not None
        self.remove_button.setEnabled(selected and not self._locked)
        self.open_button.setEnabled(selected)
        self.save_copy_button.setEnabled(selected)

    def _emit_selected(self, signal: SignalInstance) -> None:
        chosen = self.selected_attachment()
        if chosen is not None:
            signal.emit(*chosen)

    def _on_remove_button_clicked(self) -> None:
        chosen = self.selected_attachment()
        if chosen is not None and not self._locked:
            self.remove_requested.emit(*chosen)

    # -- notes ---------------------------------------------------------------------------
    def _on_notes_text_changed(self) -> None:
        dirty = self.notes_dirty
        self.save_notes_button.setEnabled(dirty and not self._locked)
        self.notes_state.setText("Unsaved changes" if dirty else "")

    def _on_save_notes_button_clicked(self) -> None:
        if not self._locked:
            self.notes_saved.emit(self.notes.toPlainText())
