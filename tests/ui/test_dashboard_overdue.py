"""The dashboard's overdue evidence: counted, listed oldest first, a click from the
control's evidence tab; answering the due date takes it off the list."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.recurring import attach_evidence, evidence_schedule
from app.store.database import Database
from app.store.engagements import create_engagement, get_engagement
from app.ui.context import AppContext
from app.ui.main_window import Screen
from app.ui.overdue_box import overdue_summary
from tests.ui.conftest import make_window
from tests.ui.controls_fixtures import ARN, db, signed_in  # noqa: F401


def _engagement(db: Database) -> int:
    """A period that began seven months ago: two quarterly access reviews are overdue."""
    today = datetime.now(UTC).date()
    with db.session() as session:
        engagement = create_engagement(
            session,
            "Overdue 2026",
            actor=ARN,
            period_start=today - timedelta(days=212),
            period_end=today + timedelta(days=150),
        )
        return engagement.id


def test_overdue_evidence_is_counted_listed_and_a_click_from_its_control(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    eid = _engagement(db)
    with db.session() as session:
        expected = evidence_schedule(session, get_engagement(session, eid)).overdue
    reviews = [i for i in expected if i.item_id == "access-review-record"]
    assert len(reviews) == 2
    ctx.set_engagement(eid)
    window = make_window(ctx, qtbot)
    window.go_to(Screen.DASHBOARD)
    box = window.dashboard.overdue
    assert box.isVisible() and box.title() == f"Overdue evidence ({len(expected)})"
    assert box.summary.text() == overdue_summary(expected)
    assert box.summary.text().startswith(f"{len(expected)} due dates overdue across ")
    texts = [box.list.item(n).text() for n in range(box.list.count())]
    assert len(texts) == len(expected)
    row = texts.index(next(t for t in texts if t.startswith("Completed access reviews")))
    assert texts[row].endswith(reviews[0].words)

    rect = box.list.visualItemRect(box.list.item(row))
    qtbot.mouseClick(box.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    page = window.checklist.page
    assert (window.current_screen, page.control_id) == (Screen.CHECKLIST, "access-reviews")
    assert page.tabs.currentWidget() is page.evidence
    assert page.evidence.current_evidence_item == "access-review-record"

    # Both quarters answered (one file effective for each): off the dashboard's list.
    with db.session() as session:
        engagement = get_engagement(session, eid)
        for item in reviews:
            attach_evidence(
                session,
                engagement,
                "access-reviews",
                name=f"review-{item.due}.csv",
                content=b"user,kept\nana,yes\n",
                actor=ARN,
                item_id=item.item_id,
                effective_on=item.due,
            )
    ctx.notify_data_changed(eid)
    left = [box.list.item(n).text() for n in range(box.list.count())]
    assert len(left) == len(expected) - 2
    assert not any(t.startswith("Completed access reviews") for t in left)


def test_a_new_engagement_has_nothing_overdue_and_says_so(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    with db.session() as session:
        eid = create_engagement(session, "New 2026", actor=ARN).id
    ctx.set_engagement(eid)
    window = make_window(ctx, qtbot)
    window.go_to(Screen.DASHBOARD)
    box = window.dashboard.overdue
    assert box.title() == "Overdue evidence (0)"
    assert box.summary.text() == "No recurring evidence is overdue."
    assert box.list.count() == 0 and not box.list.isVisible()
