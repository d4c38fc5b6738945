"""The control page's evidence edits: files added (with the day they are evidence for),
removed, and a request's recurrence set; each one store write through the services, run
by the page (`ControlPage.write`, which reloads it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from app.recurrence import Recurrence
from app.services import control_edits
from app.services.control_edits import NewAttachment
from app.services.control_period import set_recurrence
from app.ui.control_page.file_reading import ReadFile

if TYPE_CHECKING:
    from app.ui.control_page.page import ControlPage


class EvidenceEdits:
    """What the evidence tab asks for, stored for the page on screen."""

    def __init__(self, page: ControlPage) -> None:
        self.page = page

    def add_files(self, paths: Sequence[str]) -> None:
        if self.page.snapshot is not None and not self.page.snapshot.locked:
            item, description = (
                self.page.evidence.current_evidence_item,
                self.page.evidence.current_description,
            )
            self.page.files.read(paths, lambda files: self.store_files(files, item, description))

    def store_files(self, files: Sequence[ReadFile], item: str, description: str) -> None:
        effective = self.page.evidence.current_effective_on
        new = [NewAttachment(f.name, f.content, item, description, effective) for f in files]
        done = self.page.write(
            "add the evidence",
            lambda eid, cid, actor: control_edits.add_attachments(
                self.page.ctx.db, eid, cid, new, actor
            ),
        )
        if done and self.page.evidence.current_description == description:
            # Described files are in; the next ones need their own words.
            self.page.evidence.description.clear()

    def add_blob(self, name: str, content: bytes, media_type: str) -> None:
        if self.page.snapshot is None or self.page.snapshot.locked:
            return
        self.store_files(
            [ReadFile(name, content, media_type)],
            self.page.evidence.current_evidence_item,
            self.page.evidence.current_description,
        )

    def set_schedule(self, item: str, recurrence: Recurrence, due: object) -> None:
        self.page.write(
            "set the schedule",
            lambda eid, cid, actor: set_recurrence(
                self.page.ctx.db,
                self.page.ctx.catalogue,
                eid,
                cid,
                item,
                recurrence,
                due_on=due if isinstance(due, date) else None,
                actor=actor,
            ),
        )

    def remove(self, attachment_id: int, name: str) -> None:
        if self.page.snapshot is None or self.page.snapshot.locked:
            return
        if not self.page.ctx.prompts.confirm(
            self.page,
            "Remove evidence file",
            f"Remove '{name}' from this engagement? The audit log keeps its name and SHA-256; "
            "a sign-off that covered it becomes stale.",
            action="Remove",
        ):
            return
        self.page.write(
            "remove the file",
            lambda eid, _cid, actor: control_edits.remove_attachment(
                self.page.ctx.db, eid, attachment_id, actor
            ),
        )
