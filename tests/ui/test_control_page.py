"""The control page, read side: overview, results table, evidence, delta, remediation, run."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from app.ui.control_page.results_model import LINE_ROLE
from tests.ui.controls_fixtures import db, engagement_id, sg_arn, signed_in  # noqa: F401
from tests.ui.helpers import show_control_page


def _visible_resources(page: ControlPage) -> list[str]:
    proxy = page.results.proxy
    return [proxy.index(r, 0).data(LINE_ROLE).resource for r in range(proxy.rowCount())]


def test_overview_shows_the_control_in_our_words_with_mapping_chips(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot)
    control = ctx.catalogue.get("sg-inbound")
    assert page.header.title.text() == control.title
    assert page.header.status_text.text() == "Failing"
    assert page.overview.summary.text() == control.summary
    assert page.overview.why.text() == control.why
    chips = [chip.text() for chip in page.overview.chips]
    expected = [*control.mapping.iso27001, *control.mapping.soc2, *control.mapping.scf]
    assert chips == expected
    assert all(chip.accessibleName().startswith("Mapped to ") for chip in page.overview.chips)


def test_results_table_sorts_failures_first_and_filters(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot)
    page.tabs.setCurrentWidget(page.results)
    assert page.results.model.rowCount() == 4
    # Default order: what needs attention first.
    statuses = [page.results.proxy.index(r, 0).data() for r in range(4)]
    assert statuses == ["Fail", "Error", "Pass", "Pass"]
    qtbot.keyClicks(page.results.filter_box, "eu-west-1")
    assert sorted(_visible_resources(page)) == [
        sg_arn("sg-0ccc", "eu-west-1"),
        sg_arn("sg-0ddd", "eu-west-1"),
    ]
    assert page.results.shown_count.text() == "2 of 4 shown"
    page.results.filter_box.clear()
    fail_index = page.results.status_filter.findData("FAIL")
    page.results.status_filter.setCurrentIndex(fail_index)
    assert _visible_resources(page) == [sg_arn("sg-0bbb")]
    page.results.status_filter.setCurrentIndex(0)
    # Sorting by the Resource column (header click) orders by resource text.
    header = page.results.table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=header.rect().topLeft() + _section_centre(header, 3),
    )
    resources = _visible_resources(page)
    assert resources in (sorted(resources), sorted(resources, reverse=True))
    assert len(resources) == 4


def _section_centre(header, section):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint

    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    return QPoint(x, header.height() // 2)


def test_evidence_viewer_shows_the_call_and_copies_it(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot)
    page.tabs.setCurrentWidget(page.results)
    table = page.results.table
    table.setFocus()
    table.setCurrentIndex(page.results.proxy.index(0, 0))
    table.selectRow(0)
    text = page.results.viewer.text.toPlainText()
    assert "API call: ec2:DescribeSecurityGroups" in text
    assert sg_arn("sg-0bbb") in text
    assert '"GroupIds": [\n    "sg-0bbb"\n  ]' in text  # parameters, pretty JSON
    assert '"IpPermissions"' in text  # the response excerpt
    assert "Time (UTC): 20" in text
    # Keyboard: Down moves to the next row and its evidence.
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert "sg-0ddd" in page.results.viewer.text.toPlainText()
    qtbot.mouseClick(page.results.viewer._copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == page.results.viewer.text.toPlainText()


def test_delta_since_previous_scan(ctx: AppContext, engagement_id: int, qtbot: QtBot) -> None:
    page = show_control_page(ctx, engagement_id, qtbot)
    delta = page.results.delta.text()
    assert "1 newly failing (sg-0bbb)" in delta
    assert "1 fixed (sg-0ccc)" in delta
    assert "1 new (sg-0ddd)" in delta
    assert "gone" not in delta


def test_remediation_snippet_copies_to_clipboard(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot)
    page.tabs.setCurrentWidget(page.remediation)
    steps = [s for s in ctx.catalogue.get("sg-inbound").remediation if s.snippet]
    assert len(page.remediation.snippets) == len(steps) >= 1
    box = page.remediation.snippets[0]
    QGuiApplication.clipboard().setText("something else")
    qtbot.mouseClick(box.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == steps[0].snippet
    assert box.editor.font().fixedPitch() or box.editor.font().styleHint() != 0
    assert box.copy_button.accessibleName().startswith("Copy snippet")


def test_run_button_asks_for_this_control(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot, control="cloudtrail")
    assert page.header.status_text.text() == "Not checked"
    assert page.tabs.tabText(1) == "Results (not checked)"
    with qtbot.waitSignal(page.run_requested) as signal:
        qtbot.mouseClick(page.header.run_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["cloudtrail"]
    # The Results tab says what to do instead of showing an empty table, with the button.
    page.tabs.setCurrentWidget(page.results)
    assert not page.results.table.isVisible() and page.results.empty_box.isVisible()
    assert page.results.empty_text.text().startswith("Not checked yet — press “Run checks")
    with qtbot.waitSignal(page.run_requested) as signal:
        qtbot.mouseClick(page.results.empty_run, Qt.MouseButton.LeftButton)
    assert signal.args == ["cloudtrail"]
    # A checked control shows its table, not the empty state.
    page.show_control(engagement_id, "sg-inbound")
    assert page.results.table.isVisible() and not page.results.empty_box.isVisible()


def test_empty_tabs_say_what_to_do_next(ctx: AppContext, engagement_id: int, qtbot: QtBot) -> None:
    page = show_control_page(ctx, engagement_id, qtbot, control="cloudtrail")
    page.tabs.setCurrentWidget(page.evidence)
    assert not page.evidence.table.isVisible() and not page.evidence.open_button.isVisible()
    assert "Add files…" in page.evidence.no_files.text()
    page.tabs.setCurrentWidget(page.exceptions)
    assert not page.exceptions.table.isVisible()
    assert "record it below" in page.exceptions.none_yet.text()
    page.tabs.setCurrentWidget(page.sign_off)
    assert not page.sign_off.history.isVisible() and page.sign_off.no_history.isVisible()
    assert "run the checks" in page.sign_off.state.text()


def test_a_failure_covered_by_an_exception_reads_as_accepted(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    from datetime import UTC, datetime, timedelta

    from app.store.engagements import get_engagement
    from app.store.risk import add_exception

    with ctx.db.session() as session:
        add_exception(
            session,
            get_engagement(session, engagement_id),
            "sg-inbound",
            actor="tester",
            justification="Bastion until the VPN lands",
            approver="Dana, CTO",
            expires_on=datetime.now(UTC).date() + timedelta(days=30),
            resource_pattern="*sg-0bbb",
        )
    page = show_control_page(ctx, engagement_id, qtbot)
    assert page.tabs.tabText(1) == "Results (4, 0 failing, 1 accepted)"
    proxy = page.results.proxy
    # The ERROR still needs attention, so it comes first; the accepted failure next.
    assert [proxy.index(r, 0).data() for r in range(4)] == [
        "Error",
        "Fail (accepted)",
        "Pass",
        "Pass",
    ]
    assert proxy.index(1, 0).data(LINE_ROLE).resource == sg_arn("sg-0bbb")
    assert "0 failing, 1 accepted by an exception" in page.results.summary.text()
    page.results.table.selectRow(1)
    assert "an active exception covers" in page.results.viewer.text.toPlainText()


def test_unknown_control_is_an_inline_message(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot, control="no-such-control")
    assert not page.isEnabled()
    assert "Cannot show this control" in page.header.message.text()


def test_every_focusable_control_has_an_accessible_name(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QWidget,
    )

    page = show_control_page(ctx, engagement_id, qtbot)
    kinds = (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QAbstractSpinBox,
    )
    unnamed = []
    for widget in page.findChildren(QWidget):
        if not isinstance(widget, kinds) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        parent = widget.parentWidget()
        if isinstance(parent, (QComboBox, QAbstractSpinBox)) or widget.window() is not page:
            continue  # a composite's inner editor or popup: the composite carries the name
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName() or text):
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    assert unnamed == []
