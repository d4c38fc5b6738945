"""The engagement dialog's SOC 2 categories, and a new engagement started from another's
Statement of Applicability decisions (never its approvals)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.services.soa import approve, decide, set_soc2_scope
from app.services.soa_model import DecisionChange
from app.store.decisions import decisions
from app.store.engagements import create_engagement, get_engagement
from app.store.soa_approvals import soa_approvals
from app.ui.context import AppContext
from app.ui.engagement_dialog import EngagementDialog
from app.ui.main_window import Screen
from tests.ui.conftest import activate, make_window
from tests.ui.helpers import on_modal

ANNEX_A = 93


def _approved_source(ctx: AppContext) -> int:
    """An engagement with every Annex A control decided and approved, SOC 2 + privacy."""
    with ctx.db.session() as session:
        source = create_engagement(session, "Acme 2026", actor="ana")
        ids = [c.id for c in ctx.catalogue.criteria_of("iso27001")]
        change = DecisionChange(applies=True, reason="risk-treatment", owner="Ana")
        decide(session, source, ctx.catalogue, ids, change, actor="ana")
        set_soc2_scope(session, source, ["privacy"], actor="ana")
        approve(session, source, ctx.catalogue, reviewer="Ana", role="CISO")
        return source.id


def test_a_new_engagement_starts_from_another_ones_decisions(ctx: AppContext, qtbot: QtBot) -> None:
    source_id = _approved_source(ctx)
    window = make_window(ctx, qtbot)
    seen: dict[str, object] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, EngagementDialog)
        combo = dialog.start_from
        seen["choices"] = [combo.itemText(i) for i in range(combo.count())]
        seen["name"] = combo.accessibleName()
        qtbot.keyClicks(dialog.name_edit, "Acme 2027")
        combo.setCurrentIndex(combo.findData(source_id))
        # The source's categories come along; the user adds one more.
        seen["privacy"] = dialog.category_boxes["privacy"].isChecked()
        qtbot.mouseClick(dialog.category_boxes["availability"], Qt.MouseButton.LeftButton)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    problems = on_modal(fill)
    window.go_to(Screen.ENGAGEMENTS)
    qtbot.mouseClick(window.engagements.new_button, Qt.MouseButton.LeftButton)
    assert problems == []
    activate(window, qtbot)
    assert seen["choices"] == [
        "Nothing: every Annex A control undecided",
        f"Acme 2026 ({ANNEX_A} of {ANNEX_A} decided)",
    ]
    assert seen["name"] == "Start from another engagement's decisions"
    assert seen["privacy"] is True
    new_id = ctx.engagement_id
    assert new_id is not None and new_id != source_id
    with ctx.db.session() as session:
        new, source = get_engagement(session, new_id), get_engagement(session, source_id)
        assert decisions(session, new) == decisions(session, source)
        assert soa_approvals(session, new) == []
        assert new.soc2_categories == ["security", "availability", "privacy"]

    # Its SoA: every row decided, a draft until approved here.
    window.go_to(Screen.SOA)
    assert window.soa.progress.text() == f"{ANNEX_A} of {ANNEX_A} decided"
    assert window.soa.status.text().startswith("Version 1 (draft): not approved yet")


def test_the_categories_are_edited_with_the_engagement(ctx: AppContext, qtbot: QtBot) -> None:
    window = make_window(ctx, qtbot)
    with ctx.db.session() as session:
        engagement_id = create_engagement(session, "Scoped", actor="ana").id
    window.engagements.refresh()
    seen: dict[str, object] = {}

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, EngagementDialog)
        seen["start_from_shown"] = dialog.start_from.isVisible()
        security = dialog.category_boxes["security"]
        seen["security"] = (security.isChecked(), security.isEnabled())
        qtbot.mouseClick(dialog.category_boxes["confidentiality"], Qt.MouseButton.LeftButton)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    problems = on_modal(edit)
    window.go_to(Screen.ENGAGEMENTS)
    window.engagements._select(engagement_id)
    qtbot.mouseClick(window.engagements.edit_button, Qt.MouseButton.LeftButton)
    assert problems == []
    assert seen == {"start_from_shown": False, "security": (True, False)}
    with ctx.db.session() as session:
        assert get_engagement(session, engagement_id).soc2_categories == [
            "security",
            "confidentiality",
        ]


def test_without_soc2_its_categories_cannot_be_ticked(qtbot: QtBot) -> None:
    dialog = EngagementDialog(lambda _draft: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.framework_boxes["soc2"], Qt.MouseButton.LeftButton)
    assert not dialog.category_boxes["privacy"].isEnabled()
    qtbot.keyClicks(dialog.name_edit, "ISO only")
    draft = dialog.draft()
    assert draft.frameworks == ("iso27001",)
    assert draft.soc2_categories == ("security",)
    assert draft.start_from is None
