"""The checklist: controls by family with status icon and words, keyboard, progress."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from app.controls.catalogue import FAMILIES, FAMILY_TITLES, FRAMEWORKS
from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.store.database import Database
from app.ui.checklist_view import CONTROL_ID_ROLE, ChecklistView
from app.ui.context import AppContext
from app.ui.status_badges import CONTROL_LOOKS, status_icon
from tests.ui.controls_fixtures import add_scan, db, engagement_id, signed_in  # noqa: F401


def _view(ctx: AppContext, qtbot: QtBot) -> ChecklistView:
    view = ChecklistView(ctx)
    qtbot.addWidget(view)
    view.show()
    return view


def _rows(view: ChecklistView) -> dict[str, tuple[str, str, str]]:
    """control id -> (family title, status text, accessible text)."""
    out = {}
    for f in range(view.model.rowCount()):
        family = view.model.item(f, 0)
        for r in range(family.rowCount()):
            name, status = family.child(r, 0), family.child(r, 1)
            out[name.data(CONTROL_ID_ROLE)] = (family.text(), status.text(), name.accessibleText())
    return out


def test_every_control_grouped_by_family_with_status_words(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    ctx.set_engagement(engagement_id)
    view = _view(ctx, qtbot)
    rows = _rows(view)
    assert set(rows) == set(ctx.catalogue.ids) and len(rows) == len(ctx.catalogue.controls)
    families = [view.model.item(f, 0).text().split(" (")[0] for f in range(view.model.rowCount())]
    assert families == [FAMILY_TITLES[family] for family, _ in ctx.catalogue.by_family()]
    family_of = {c.id: c.family for c in ctx.catalogue.controls}
    for control_id, (family_title, _status, _acc) in rows.items():
        assert family_title.split(" (")[0] == FAMILY_TITLES[family_of[control_id]]
    # The later scan has a failing security group: words, not only colour.
    assert rows["sg-inbound"][1] == "Failing"
    assert rows["sg-inbound"][2].endswith(": Failing")
    assert rows["cloudtrail"][1] == "Not checked"
    status_item = view.model.item(0, 0).child(0, 1)
    assert not status_item.icon().isNull()


def test_keyboard_moves_through_controls_and_emits_selection(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    ctx.set_engagement(engagement_id)
    view = _view(ctx, qtbot)
    chosen: list[str] = []
    view.control_selected.connect(chosen.append)
    view.tree.setFocus()
    view.tree.setCurrentIndex(view.model.index(0, 0))  # the first family heading
    qtbot.keyClick(view.tree, Qt.Key.Key_Down)
    qtbot.keyClick(view.tree, Qt.Key.Key_Down)
    network = [c.id for c in ctx.catalogue.controls if c.family == FAMILIES[0]]
    assert chosen == network[:2]
    assert view.selected_control() == network[1]
    qtbot.keyClick(view.tree, Qt.Key.Key_End)
    assert chosen[-1] == ctx.catalogue.by_family()[-1][1][-1].id


def test_progress_per_framework_follows_new_results(
    ctx: AppContext, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    ctx.set_engagement(engagement_id)
    view = _view(ctx, qtbot)
    assert set(view.progress_bars) == {"iso27001", "soc2"}
    assert view.progress_bars["iso27001"].value() == 0
    mapped = {f: sum(1 for c in ctx.catalogue.controls if c.mapping.ids(f)) for f in FRAMEWORKS}
    assert view.progress_bars["iso27001"].maximum() == mapped["iso27001"]
    view.select_control("cloudtrail")
    add_scan(
        db,
        engagement_id,
        [("us-east-1", "trail", Status.PASS, "logging")],
        datetime.now(UTC),
        control="cloudtrail",
    )
    ctx.notify_data_changed(engagement_id)
    assert _rows(view)["cloudtrail"][1] == "Passing"
    assert view.progress_bars["iso27001"].value() == 1
    assert f"1 of {mapped['soc2']} ready" in view.progress_labels["soc2"].text()
    # The refresh kept the user's place.
    assert view.selected_control() == "cloudtrail"


def test_without_engagement_says_what_to_do(ctx: AppContext, qtbot: QtBot) -> None:
    view = _view(ctx, qtbot)
    assert view.empty.isVisible() and not view.tree.isVisible()
    assert "engagement" in view.empty.text()
    assert view.progress_bars == {}


def test_icons_follow_a_dark_palette_and_differ_by_shape(qapp: object) -> None:
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.Window, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    look = CONTROL_LOOKS[ControlStatus.FAILING]
    light_img = status_icon(look, light).pixmap(16, 16).toImage()
    dark_img = status_icon(look, dark).pixmap(16, 16).toImage()
    assert light_img.pixelColor(8, 3) != dark_img.pixelColor(8, 3)
    # Same colour family, different shapes: passing (circle) vs signed off (square).
    passing = status_icon(CONTROL_LOOKS[ControlStatus.PASSING], light).pixmap(16, 16).toImage()
    signed = status_icon(CONTROL_LOOKS[ControlStatus.SIGNED_OFF], light).pixmap(16, 16).toImage()
    assert passing.pixelColor(2, 2).alpha() == 0 and signed.pixelColor(2, 2).alpha() > 0


def test_palette_change_repaints_icons_and_keeps_the_place(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    ctx.set_engagement(engagement_id)
    view = _view(ctx, qtbot)
    view.select_control("sg-inbound")
    moved: list[str] = []
    view.control_selected.connect(moved.append)

    def failing_icon_pixel() -> QColor:
        index = view._index_of("sg-inbound").siblingAtColumn(1)
        icon = view.model.itemFromIndex(index).icon()
        return icon.pixmap(16, 16).toImage().pixelColor(8, 3)

    light = failing_icon_pixel()
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    view.setPalette(dark)
    assert failing_icon_pixel() != light
    assert view.selected_control() == "sg-inbound" and moved == []
