"""The Statement of Applicability screen as a founder uses it: decide in bulk, filter,
approve, export and import, jump to the controls, SOC 2 categories."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from app.services import soa_view
from app.services.soa_model import DecisionFilter
from app.services.soa_view import AppliesChoice, BulkForm
from app.store.decisions import Decision, decisions, set_decisions
from app.store.engagements import create_engagement, get_engagement
from app.store.soa_approvals import soa_approvals
from app.ui.context import AppContext
from app.ui.main_window import Screen
from app.ui.soa.screen import SoaScreen
from tests.ui.conftest import make_window, prompts

ANNEX_A = 93


@pytest.fixture
def engagement_id(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        engagement_id = create_engagement(session, "Acme 2026", actor="ana").id
    ctx.set_engagement(engagement_id)
    return engagement_id


@pytest.fixture
def screen(ctx: AppContext, engagement_id: int, qtbot: QtBot) -> SoaScreen:
    widget = SoaScreen(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _stored(ctx: AppContext, engagement_id: int) -> dict[str, object]:
    with ctx.db.session() as session:
        return dict(decisions(session, get_engagement(session, engagement_id)))


def _click_theme(screen: SoaScreen, qtbot: QtBot, title_start: str) -> None:
    model = screen.iso.tree.lines_model
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if str(index.data()).startswith(title_start):
            screen.iso.tree.scrollTo(index)
            rect = screen.iso.tree.visualRect(index)
            qtbot.mouseClick(
                screen.iso.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
            )
            return
    raise AssertionError(f"no theme {title_start}")


def _select_all(screen: SoaScreen, qtbot: QtBot) -> None:
    screen.iso.tree.setFocus()
    qtbot.keyClick(screen.iso.tree, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def test_every_annex_a_control_in_one_model_grouped_by_theme(screen: SoaScreen) -> None:
    model = screen.iso.tree.lines_model
    assert model.line_count() == ANNEX_A
    assert [str(model.index(r, 0).data()) for r in range(model.rowCount())] == [
        "Organizational controls (A.5) (37)",
        "People controls (A.6) (8)",
        "Physical controls (A.7) (14)",
        "Technological controls (A.8) (34)",
    ]
    first = model.index(0, 0, model.index(0, 0))
    cells = [str(first.siblingAtColumn(c).data()) for c in range(model.columnCount())]
    assert cells[0] == "A.5.1" and cells[2] == "undecided" and cells[4] == "not yet"
    assert "security-policies" in cells[5]
    assert screen.progress.text() == f"0 of {ANNEX_A} decided"
    assert "DRAFT" in screen.status.text()
    approval = screen.iso.approval
    assert not approval.approve_button.isEnabled()
    assert (
        approval.blocker.text()
        == f"0 of {ANNEX_A} decided: decide the other 93 Annex A controls first."
    )


def test_bulk_exclusion_needs_a_justification_then_applies_to_the_whole_theme(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, qtbot: QtBot
) -> None:
    _click_theme(screen, qtbot, "Physical controls")
    form = screen.iso.form
    assert len(form.rows) == 14
    assert form.apply_button.text() == "Apply to 14 selected rows"
    assert not form.apply_button.isEnabled()  # nothing to change yet

    form.applies.setCurrentIndex(form.applies.findData(AppliesChoice.NO.value))
    assert not form.reason.isEnabled()
    assert form.hint.isVisible() and "A.7.1, A.7.2" in form.hint.text()
    assert not form.apply_button.isEnabled()

    qtbot.keyClicks(form.justification, "Fully remote; AWS carries its data centres.")
    qtbot.keyClicks(form.owner, "Ana Lima")
    assert not form.hint.isVisible()
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)

    stored = _stored(ctx, engagement_id)
    assert len(stored) == 14 and all(d.applies is False for d in stored.values())  # type: ignore[attr-defined]
    assert screen.progress.text() == f"14 of {ANNEX_A} decided"
    assert "14 excluded" in screen.subtitle.text()
    # The selection survives the reload, the form starts again at "keep as is".
    assert len(screen.iso.form.rows) == 14
    assert form.applies.currentData() == AppliesChoice.KEEP.value


def test_one_row_is_edited_as_shown_and_a_refusal_is_listed_inline(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, qtbot: QtBot
) -> None:
    screen.iso.tree.select_ids(["A.5.1"])
    form = screen.iso.form
    assert form.apply_button.text() == "Save this row"
    assert form.selection.text().startswith("A.5.1 ")
    form.applies.setCurrentIndex(form.applies.findData(AppliesChoice.YES.value))
    form.reason.setCurrentIndex(form.reason.findData("legal"))
    qtbot.keyClicks(form.owner, "Bo")
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    decision = _stored(ctx, engagement_id)["A.5.1"]
    assert (decision.applies, decision.reason, decision.owner) == (True, "legal", "Bo")  # type: ignore[attr-defined]
    assert form.reason.currentData() == "legal"  # shown again as stored

    # What the form itself would not let through still meets the service's refusal.
    screen.iso.tree.select_ids(["A.5.2", "A.5.3"])
    screen._on_form_decided(BulkForm(AppliesChoice.NO))
    assert form.problems.isVisible()
    assert "A.5.2, A.5.3: an exclusion needs a justification" in form.problems.text()
    assert set(_stored(ctx, engagement_id)) == {"A.5.1"}


def test_search_and_filters_narrow_the_table(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, qtbot: QtBot
) -> None:
    screen.iso.tree.select_ids(["A.8.20"])
    screen._on_form_decided(BulkForm(AppliesChoice.YES, "risk-treatment", explicit=True))
    model = screen.iso.tree.lines_model
    filters = screen.iso.filters
    qtbot.keyClicks(filters.search, "sg-inbound")
    ids = [line.criterion_id for group in model.groups for line in group.lines]
    assert "A.8.20" in ids and len(ids) < ANNEX_A
    filters.search.clear()
    filters.decision.setCurrentIndex(filters.decision.findData(DecisionFilter.INCLUDED.value))
    assert [line.criterion_id for g in model.groups for line in g.lines] == ["A.8.20"]
    filters.show_only(DecisionFilter.UNDECIDED)
    assert model.line_count() == ANNEX_A - 1
    filters.theme.setCurrentIndex(filters.theme.findData("people"))
    assert model.line_count() == 8
    filters.theme.setCurrentIndex(0)
    filters.implementation.setCurrentIndex(filters.implementation.findData("inherited"))
    assert model.line_count() == 0  # nothing is in place in a new engagement


def test_approve_when_all_decided_then_a_change_makes_it_stale(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, qtbot: QtBot
) -> None:
    _select_all(screen, qtbot)
    form = screen.iso.form
    assert len(form.rows) == ANNEX_A
    form.applies.setCurrentIndex(form.applies.findData(AppliesChoice.YES.value))
    form.reason.setCurrentIndex(form.reason.findData("best-practice"))
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    approval = screen.iso.approval
    assert approval.blocker.text() == "Give the reviewer's name and role to approve."
    qtbot.keyClicks(approval.reviewer, "Ana Lima")
    qtbot.keyClicks(approval.role, "CISO")
    qtbot.keyClicks(approval.comment, "Board meeting <5 Dec>")
    assert approval.approve_button.isEnabled()
    assert approval.approve_button.text() == "Approve version 1"
    qtbot.mouseClick(approval.approve_button, Qt.MouseButton.LeftButton)

    assert screen.status.text() == "Version 1, approved."
    assert "by Ana Lima (CISO)" in approval.last.text()
    assert "“Board meeting <5 Dec>”" in approval.last.text()
    assert not approval.approve_button.isEnabled()
    assert "nothing changed since" in approval.blocker.text()

    screen.iso.tree.select_ids(["A.6.1"])
    qtbot.keyClicks(form.owner, "HR")
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    assert screen.status.text().startswith(
        "Version 2 (draft): decisions changed since version 1 was approved"
    )
    assert approval.approve_button.text() == "Approve version 2"
    assert approval.approve_button.isEnabled()


def test_a_decision_changed_after_the_table_was_read_is_not_approved_unseen(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, qtbot: QtBot
) -> None:
    _select_all(screen, qtbot)
    form = screen.iso.form
    form.applies.setCurrentIndex(form.applies.findData(AppliesChoice.YES.value))
    form.reason.setCurrentIndex(form.reason.findData("best-practice"))
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    approval = screen.iso.approval
    qtbot.keyClicks(approval.reviewer, "Ana Lima")
    qtbot.keyClicks(approval.role, "CISO")
    # A colleague on the team store excludes A.5.1; this screen has not read it yet.
    bob = Decision(False, justification="Handled by the parent company")
    with ctx.db.session() as session:
        set_decisions(session, get_engagement(session, engagement_id), {"A.5.1": bob}, actor="bob")
    qtbot.mouseClick(approval.approve_button, Qt.MouseButton.LeftButton)

    assert "Could not approve. The Statement of Applicability decision for A.5.1" in (
        screen.message.text()
    )
    assert "nothing was approved" in screen.message.text()
    with ctx.db.session() as session:
        assert soa_approvals(session, get_engagement(session, engagement_id)) == []
    # The screen read again: bob's exclusion is in the table, and approving now covers it.
    qtbot.waitUntil(lambda: screen.view is not None and screen.view.rows[0].decision == bob)
    qtbot.mouseClick(approval.approve_button, Qt.MouseButton.LeftButton)
    assert screen.status.text() == "Version 1, approved."


def test_export_and_import_all_or_nothing_with_each_bad_row_named(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, tmp_path: Path
) -> None:
    asked = prompts(ctx)
    asked.paths.extend([tmp_path / "soa", tmp_path / "soa.xlsx"])
    screen.iso.export_csv_button.click()
    screen.iso.export_xlsx_button.click()
    assert (tmp_path / "soa.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "soa.xlsx").read_bytes().startswith(b"PK")
    assert f"Exported the {ANNEX_A} rows to {tmp_path / 'soa.xlsx'}." in screen.message.text()

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "criterion;applies;reason;justification;owner\n"
        "A.5.1;Yes;Risk treatment;;Ana\n"
        "A.5.2;no;;;\n"
        "A.99.1;yes;;;\n",
        encoding="utf-8",
    )
    asked.paths.append(bad)
    screen.iso.import_button.click()
    lines = screen.message.text().splitlines()
    assert lines[0].startswith(
        "Could not import bad.csv. Nothing was changed: 2 rows have problems"
    )
    assert lines[1].startswith("row 3 (A.5.2): an exclusion needs a justification")
    assert lines[2].startswith("row 4: 'A.99.1' is not an ISO 27001 Annex A control")
    assert _stored(ctx, engagement_id) == {}

    good = tmp_path / "good.csv"
    good.write_text(
        bad.read_text(encoding="utf-8")
        .replace("A.5.2;no;;;", "A.5.2;no;;Remote;")
        .replace("A.99.1;yes;;;\n", ""),
        encoding="utf-8",
    )
    asked.paths.append(good)
    screen.iso.import_button.click()
    assert screen.message.text() == (
        f"Imported good.csv: 2 decisions changed, 0 unchanged; 2 of {ANNEX_A} decided."
    )
    assert screen.progress.text() == f"2 of {ANNEX_A} decided"

    other = tmp_path / "notes.csv"
    other.write_text("mine\n", encoding="utf-8")
    asked.paths.append(other)
    screen.iso.export_csv_button.click()
    assert "left untouched" in screen.message.text()
    assert other.read_text(encoding="utf-8") == "mine\n"


def test_soc2_categories_are_chosen_on_their_tab(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, qtbot: QtBot
) -> None:
    screen.tabs.setCurrentWidget(screen.soc2)
    security = screen.soc2.boxes["security"]
    assert security.isChecked() and not security.isEnabled()
    assert screen.soc2.tree.lines_model.line_count() == 33
    qtbot.mouseClick(screen.soc2.boxes["availability"], Qt.MouseButton.LeftButton)
    assert screen.soc2.tree.lines_model.line_count() == 36
    assert screen.tabs.tabText(1) == "SOC 2 criteria (36)"
    with ctx.db.session() as session:
        assert get_engagement(session, engagement_id).soc2_categories == [
            "security",
            "availability",
        ]


def test_the_controls_behind_a_row_open_their_page(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    window = make_window(ctx, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen is Screen.SOA
    tree = window.soa.iso.tree
    tree.select_ids(["A.8.20"])
    listed = window.soa.iso.controls.ids()
    assert listed == [c.id for c in ctx.catalogue.controls_for("iso27001", "A.8.20")]
    window.soa.iso.controls.list.setCurrentRow(listed.index("sg-inbound"))
    qtbot.mouseClick(window.soa.iso.controls.open_button, Qt.MouseButton.LeftButton)
    assert window.current_screen is Screen.CHECKLIST
    assert window.checklist.page.control_id == "sg-inbound"
    assert window.checklist.checklist.selected_control() == "sg-inbound"

    # A row with one control opens it straight away (Enter on the row).
    window.go_to(Screen.SOA)
    single = next(
        c.id
        for c in ctx.catalogue.criteria_of("iso27001")
        if len(ctx.catalogue.controls_for("iso27001", c.id)) == 1
    )
    tree.select_ids([single])
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.current_screen is Screen.CHECKLIST
    assert window.checklist.page.control_id == ctx.catalogue.controls_for("iso27001", single)[0].id


def test_the_rows_are_read_off_the_gui_thread(
    threaded_ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = threaded_ctx
    with ctx.db.session() as session:
        ctx.set_engagement(create_engagement(session, "Threaded", actor="ana").id)
    threads: list[threading.Thread] = []
    real = soa_view.load_view

    def recording(*args: object, **kwargs: object) -> soa_view.SoaView:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("app.ui.soa.screen.load_view", recording)
    screen = SoaScreen(ctx)
    qtbot.addWidget(screen)
    shown_on: list[threading.Thread] = []
    screen.loaded.connect(lambda: shown_on.append(threading.current_thread()))
    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.show()
    assert threads and threads[0] is not threading.main_thread()
    # ...and shown on the GUI thread.
    assert shown_on == [threading.main_thread()]
    assert screen.iso.tree.lines_model.line_count() == ANNEX_A


def test_a_selection_is_kept_when_the_screen_reads_again(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, qtbot: QtBot
) -> None:
    tree = screen.iso.tree
    tree.select_ids(["A.5.3"])
    index = tree.lines_model.index_of("A.5.4")
    tree.selectionModel().select(
        index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    )
    qtbot.keyClicks(screen.iso.form.owner, "typing")
    ctx.notify_data_changed(engagement_id)  # e.g. a scan finished meanwhile
    assert [line.criterion_id for line in tree.selected_lines()] == ["A.5.3", "A.5.4"]
    assert screen.iso.form.owner.text() == "typing"


def test_a_decision_changed_elsewhere_meanwhile_is_refused_inline_then_shown(
    ctx: AppContext, engagement_id: int, screen: SoaScreen, qtbot: QtBot
) -> None:
    screen.iso.tree.select_ids(["A.5.1"])
    form = screen.iso.form
    form.reason.setCurrentIndex(form.reason.findData("legal"))
    form.applies.setCurrentIndex(form.applies.findData(AppliesChoice.YES.value))
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.owner, "Bo")  # saving the row it just saved: no conflict with itself
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    assert not form.problems.isVisible() and _stored(ctx, engagement_id)["A.5.1"].owner == "Bo"  # type: ignore[attr-defined]

    # A colleague on the team store excludes A.5.1; this screen has not read it yet.
    bob = Decision(False, justification="Handled by the parent company")
    with ctx.db.session() as session:
        engagement = get_engagement(session, engagement_id)
        set_decisions(session, engagement, {"A.5.1": bob}, actor="bob")
    qtbot.keyClicks(form.owner, "b")
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)
    assert form.problems.isVisible()
    assert "Could not save the decision. The Statement of Applicability decision for A.5.1 " in (
        form.problems.text()
    )
    assert "changed by bob" in form.problems.text()
    assert _stored(ctx, engagement_id)["A.5.1"] == bob  # nothing overwritten
    # The screen read again: the table shows bob's exclusion, the form keeps the typing.
    assert screen.view is not None and screen.view.rows[0].decision == bob
    assert form.owner.text() == "Bob" and form.problems.isVisible()
    qtbot.mouseClick(form.apply_button, Qt.MouseButton.LeftButton)  # applied again, on purpose
    assert _stored(ctx, engagement_id)["A.5.1"].owner == "Bob"  # type: ignore[attr-defined]
