"""Manual evidence: files (dialog, drag and drop, pasted screenshot) and the control's notes.

Above, the evidence asked for (`EvidenceRequestsBox`); below, the files attached
(`AttachedList`). The panel only gathers what the user gives it and says so through
signals; the page reads big files in a worker and stores everything through the services.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.controls.catalogue import ManualEvidence
from app.services.control_model import AttachmentInfo
from app.services.recurring_model import RequestSchedule
from app.ui.control_page.attached_list import AttachedList
from app.ui.control_page.evidence_cells import png_bytes
from app.ui.control_page.evidence_requests import EvidenceRequestsBox
from app.ui.control_page.overview_panel import section_title
from app.ui.control_page.remediation_panel import plain_label


class EvidencePanel(QWidget):
    """Lists attachments and notes; emits what the user added or saved."""

    files_chosen = Signal(list)  # list[str]: local paths, from the dialog or a drop
    blob_added = Signal(str, bytes, str)  # name, content, media type (pasted/dropped image)
    notes_saved = Signal(str)
    remove_requested = Signal(int, str)  # attachment id, its name
    open_requested = Signal(int, str)  # attachment id, its name
    save_requested = Signal(int, str)  # attachment id, its name
    effective_chosen = Signal(int, object)  # attachment id, date | None (None: the day added)
    problem = Signal(str)  # expected trouble to show inline (e.g. nothing to paste)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._locked = False
        self._saved_notes = ""
        self._items: tuple[ManualEvidence, ...] = ()

        self.requests = EvidenceRequestsBox()
        self.requests.item_selected.connect(self.choose_item)
        self.item_choice = QComboBox()
        self.item_choice.setAccessibleName("New files are evidence of")
        # Long request titles must not widen the tab past the window (the list shows them).
        self.item_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.item_choice.setMinimumContentsLength(16)
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
        self.effective = QDateEdit(QDate.currentDate())
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("yyyy-MM-dd")
        self.effective.setAccessibleName("The day the files you add next are evidence for")
        self.effective.setToolTip(
            "The day the evidence is effective for (the quarter's review: the quarter's "
            "last day); today unless you choose another day."
        )
        self.drop_hint = plain_label("…or drop files or images anywhere on this tab.")
        self.attached = AttachedList()
        # The list's parts, under the names the page and its tests use.
        self.table = self.attached.table
        self.no_files = self.attached.no_files
        self.open_button = self.attached.open_button
        self.save_copy_button = self.attached.save_copy_button
        self.remove_button = self.attached.remove_button
        for mine, theirs in (
            (self.remove_requested, self.attached.remove_requested),
            (self.open_requested, self.attached.open_requested),
            (self.save_requested, self.attached.save_requested),
            (self.effective_chosen, self.attached.effective_chosen),
        ):
            theirs.connect(mine)

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
        describe.addWidget(QLabel("Effective for:"))
        describe.addWidget(self.effective)
        notes_bar = QHBoxLayout()
        notes_bar.addWidget(section_title("Notes"))
        notes_bar.addStretch(1)
        notes_bar.addWidget(self.notes_state)
        notes_bar.addWidget(self.save_notes_button)
        # The tab scrolls rather than squeezing its parts over each other (or making the
        # window taller than the screen) when the window is short.
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.requests)
        layout.addLayout(buttons)
        layout.addLayout(describe)
        layout.addWidget(self.drop_hint)
        layout.addWidget(self.attached, 2)
        layout.addLayout(notes_bar)
        layout.addWidget(self.notes, 1)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroller)

    # -- showing -------------------------------------------------------------------------
    def show_evidence(
        self,
        items: Sequence[ManualEvidence],
        attachments: Sequence[AttachmentInfo],
        notes: str,
        draft: str | None = None,
        requests: Sequence[RequestSchedule] = (),
    ) -> None:
        """Show the stored state; `draft` is unsaved text to keep in the editor;
        `requests`: the evidence asked for with due dates (the catalogue's and the user's)."""
        self._items = tuple(items)
        chosen = self.item_choice.currentData()
        self.item_choice.clear()
        asked = [(r.title, r.item_id) for r in requests] or [(i.title, i.id) for i in items]
        for title, item_id in asked:
            self.item_choice.addItem(title, item_id)
        self.item_choice.addItem("General (no specific item)", "")
        if chosen is not None and self.item_choice.findData(chosen) >= 0:
            self.item_choice.setCurrentIndex(self.item_choice.findData(chosen))
        titles = dict((item_id, title) for title, item_id in asked)
        self.requests.show_requests(requests)
        self.attached.show_files(attachments, titles)
        self._show_empty_state()
        # setPlainText: user notes are text, never markup to interpret.
        self._saved_notes = notes
        wanted = notes if draft is None else draft
        if self.notes.toPlainText() != wanted:
            self.notes.setPlainText(wanted)
        self._on_notes_text_changed()

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        for widget in (
            self.add_button,
            self.paste_button,
            self.item_choice,
            self.description,
            self.effective,
        ):
            widget.setEnabled(not locked)
        self.requests.set_locked(locked)
        self.attached.set_locked(locked)
        self.notes.setReadOnly(locked)
        self._show_empty_state()
        self._on_notes_text_changed()

    def _show_empty_state(self) -> None:
        """No files: say how to add some (or why one cannot) instead of an empty table."""
        # The empty-state text already says how to add files.
        self.drop_hint.setVisible(not self.attached.empty and not self._locked)
        self.attached.show_empty_state(
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
    def current_effective_on(self) -> date:
        chosen = self.effective.date().toPython()
        return chosen if isinstance(chosen, date) else date.today()

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
        return self.attached.selected_attachment()

    # -- notes ---------------------------------------------------------------------------
    def _on_notes_text_changed(self) -> None:
        dirty = self.notes_dirty
        self.save_notes_button.setEnabled(dirty and not self._locked)
        self.notes_state.setText("Unsaved changes" if dirty else "")

    def _on_save_notes_button_clicked(self) -> None:
        if not self._locked:
            self.notes_saved.emit(self.notes.toPlainText())
