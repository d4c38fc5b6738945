"""The control page's evidence edits: files added (with the day they are evidence for),
removed, or given another day; a request's recurrence set; a request of the user's own
added (in `OwnRequestDialog`) or removed. Each is one store write through the services,
run by the page (`ControlPage.write`, which reloads it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from app.recurrence import Recurrence
from app.services import control_edits
from app.services.control_edits import NewAttachment
from app.services.control_period import (
    NewRequest,
    add_request,
    remove_request,
    set_file_effective_date,
    set_recurrence,
)
from app.ui.control_page.file_reading import ReadFile
from app.ui.control_page.request_dialog import OwnRequestDialog

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

    def set_effective(self, attachment_id: int, effective: object) -> None:
        """A file's effective day changed (None: the day it was added counts again)."""
        if self.page.snapshot is None or self.page.snapshot.locked:
            return
        day = effective if isinstance(effective, date) else None
        self.page.write(
            "change the day the file is evidence for",
            lambda eid, _cid, actor: set_file_effective_date(
                self.page.ctx.db, eid, attachment_id, day, actor=actor
            ),
        )
        self.page.evidence.attached.select_attachment(attachment_id)

    def add_request(self) -> None:
        """Ask for the request in a dialog, which shows what the services refuse."""
        page = self.page
        snapshot, eid = page.snapshot, page.engagement_id
        if snapshot is None or snapshot.locked or eid is None:
            return
        cid, added = snapshot.control.id, []

        def save(request: NewRequest) -> None:
            ctx = page.ctx
            schedule = add_request(ctx.db, ctx.catalogue, eid, cid, request, actor=ctx.actor)
            added.append(schedule.item_id)

        dialog = OwnRequestDialog(save, snapshot.control.title, page)
        dialog.exec()
        dialog.deleteLater()
        if added:
            page.stored(eid)
            page.evidence.requests.select_item(added[0])

    def remove_request(self, item_id: str, title: str) -> None:
        if self.page.snapshot is None or self.page.snapshot.locked:
            return
        if not self.page.ctx.prompts.confirm(
            self.page,
            "Remove evidence request",
            f"Remove your request “{title}” from this control? The audit log keeps what it "
            "asked for.",
            action="Remove",
        ):
            return
        self.page.write(
            "remove the request",
            lambda eid, cid, actor: remove_request(
                self.page.ctx.db, self.page.ctx.catalogue, eid, cid, item_id, actor=actor
            ),
        )
