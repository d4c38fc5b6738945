"""Render the main screens to PNG (docs/screenshots/), on the built-in demo account.

    .venv/bin/python docs/screenshots/render.py [--out docs/screenshots]

Runs offscreen in a temp HOME: the demo's local fake AWS (moto on 127.0.0.1), its own
demo DB, a few sample AWS profiles for the sign-in screen. Nothing of the user's is
read or written. `make screenshots` calls this.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.context import AppContext

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SAMPLE_PROFILES = """\
[profile northwind-audit]
sso_session = northwind
sso_account_id = 123456789012
sso_role_name = SecurityAudit
region = eu-west-1

[profile northwind-pick]
sso_session = northwind

[sso-session northwind]
sso_start_url = https://northwind.awsapps.com/start
sso_region = eu-west-1

[profile client-role]
role_arn = arn:aws:iam::210987654321:role/AuditBinderReadOnly
source_profile = northwind-audit

[profile console]
login_session = arn:aws:iam::123456789012:user/dana
region = eu-west-1

[profile old-keys]
aws_access_key_id = AKIAEXAMPLEEXAMPLE00
aws_secret_access_key = not-a-real-secret
"""


def _isolate(home: Path) -> None:
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(SAMPLE_PROFILES, encoding="utf-8")
    os.environ.update(
        HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AUDIT_BINDER_DB=str(home / "audit-binder.sqlite3"),
        AUDIT_BINDER_DEMO_DB=str(home / "audit-binder-demo.sqlite3"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
    )
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)


def _soa_in_progress(ctx: AppContext) -> None:
    """A Statement of Applicability half decided, as a founder leaves it mid-way, unless the
    demo engagement already has decisions of its own (then those are shown)."""
    from app.services.soa import decide, soa_state
    from app.services.soa_model import DecisionChange
    from app.store.engagements import get_engagement

    assert ctx.engagement_id is not None
    db, catalogue = ctx.db, ctx.catalogue
    with db.session() as session:
        engagement = get_engagement(session, ctx.engagement_id)
        if soa_state(session, engagement, catalogue).decided:
            return
        ids = [c.id for c in catalogue.criteria_of("iso27001")]
        organisational = [i for i in ids if i.startswith(("A.5.", "A.6."))]
        chosen = DecisionChange(applies=True, reason="risk-treatment", owner="Dana (CTO)")
        decide(session, engagement, catalogue, organisational, chosen, actor="screenshots")
        legal = DecisionChange(applies=True, reason="legal", owner="Dana (CTO)")
        decide(session, engagement, catalogue, ["A.5.31", "A.5.34"], legal, actor="screenshots")
        excluded = DecisionChange(
            applies=False,
            justification="No software is developed by outsourced parties.",
            owner="Dana (CTO)",
        )
        decide(session, engagement, catalogue, ["A.8.30"], excluded, actor="screenshots")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    _isolate(Path(tempfile.mkdtemp(prefix="ab-shots-")))

    from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
    from PySide6.QtGui import QColor, QFont, QPalette
    from PySide6.QtWidgets import QApplication, QWidget

    from app.aws.sso import DeviceCode
    from app.ui.launch import build_context, start_demo
    from app.ui.main_window import MainWindow, Screen
    from app.ui.settings import AppSettings

    app = QApplication(["audit-binder"])
    app.setStyle("Fusion")
    app.setFont(QFont("DejaVu Sans", 10))
    light = app.palette()
    pool = QThreadPool()
    home = Path(os.environ["HOME"])
    ctx = build_context(AppSettings.at(home / "settings.ini"), pool)
    start_demo(ctx)
    # A consultant's second client, not scanned yet, so the list shows more than one.
    from datetime import date

    from app.services.engagements import AccountLine, EngagementDraft, create_engagement

    create_engagement(
        ctx.db,
        EngagementDraft(
            "Acme Analytics — SOC 2 type II 2027",
            "Acme Analytics GmbH",
            ("soc2",),
            date(2027, 1, 1),
            date(2027, 6, 30),
            ("eu-central-1",),
            (AccountLine("210987654321", "acme-prod", "client-role"),),
        ),
        ctx.actor,
    )
    window = MainWindow(ctx)
    window.resize(1280, 820)
    window.show()

    def settle(ms: int = 150) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def shot(name: str, widget: QWidget | None = None) -> None:
        settle()
        path = out / f"{name}.png"
        (widget or window).grab().save(str(path))
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    # A second, later scan of one control, so the history has something to compare.
    assert ctx.engagement_id is not None
    loop = QEventLoop()
    window.scans.scan_finished.connect(lambda _eid: loop.quit())
    window.scans.scan_failed.connect(lambda _why: loop.quit())
    window.scans.run_checks(ctx.engagement_id, ["sg-inbound"])
    loop.exec()

    window.go_to(Screen.SIGN_IN)
    window.sign_in.select_profile("northwind-audit")
    shot("01-sign-in")
    from app.ui.connect_dialog import ConnectDialog

    connect = ConnectDialog(ctx, window)
    connect.show()
    connect.form.url.setText("https://northwind.awsapps.com/start")
    connect.form.region.setCurrentText("eu-west-1")
    shot("12-connect-dialog", connect)
    connect.close()
    window.sign_in.device.starting("northwind-pick")
    window.sign_in.device.show_code(
        DeviceCode(
            user_code="WDJB-MJHT",
            verification_uri="https://device.sso.eu-west-1.amazonaws.com/",
            verification_uri_complete="https://device.sso.eu-west-1.amazonaws.com/?user_code=WDJB-MJHT",
            expires_at=datetime.now(UTC) + timedelta(minutes=10),
        )
    )
    shot("02-sso-device-code")
    window.sign_in.device.hide()

    window.go_to(Screen.ENGAGEMENTS)
    shot("03-engagements")
    window.go_to(Screen.DASHBOARD)
    shot("04-dashboard")

    window.go_to(Screen.CHECKLIST)
    page = window.checklist.page
    window.checklist.checklist.select_control("sg-inbound")
    page.tabs.setCurrentWidget(page.results)
    table = page.results.table
    for row in range(table.model().rowCount()):
        if table.model().index(row, 0).data() in ("Fail", "FAIL"):
            table.selectRow(row)
            break
    else:
        table.selectRow(0)
    shot("05-control-results")
    window.checklist.checklist.select_control("backups")
    page.tabs.setCurrentWidget(page.remediation)
    shot("06-control-remediation")
    page.tabs.setCurrentWidget(page.evidence)
    shot("07-control-evidence")
    page.tabs.setCurrentWidget(page.sign_off)
    shot("08-control-sign-off")

    window.go_to(Screen.HISTORY)
    shot("09-scan-history")

    # The demo's period history: password-policy failed for three weeks and was fixed; the
    # quarterly access review misses a quarter.
    window.go_to(Screen.CHECKLIST)
    window.checklist.checklist.select_control("password-policy")
    page.tabs.setCurrentWidget(page.results)
    shot("14-control-across-the-period")
    window.checklist.checklist.select_control("access-reviews")
    page.tabs.setCurrentWidget(page.evidence)
    page.evidence.table.selectRow(0)  # its effective day, ready to change
    settle()
    page.evidence.scroller.ensureWidgetVisible(page.evidence.attached.effective)
    shot("15-recurring-evidence")

    _soa_in_progress(ctx)
    window.go_to(Screen.SOA)  # first shown: it reads the rows (in a worker)
    while window.soa.view is None:
        settle(50)
    physical = [f"A.7.{n}" for n in range(1, 15)]
    window.soa.iso.tree.select_ids(physical)
    window.soa.iso.tree.scrollTo(window.soa.iso.tree.lines_model.index_of("A.7.14"))
    shot("13-statement-of-applicability")

    dark = QPalette(light)
    for role, colour in (
        (QPalette.ColorRole.Window, "#232629"),
        (QPalette.ColorRole.WindowText, "#eff0f1"),
        (QPalette.ColorRole.Base, "#1b1e20"),
        (QPalette.ColorRole.AlternateBase, "#2a2e32"),
        (QPalette.ColorRole.Text, "#eff0f1"),
        (QPalette.ColorRole.Button, "#31363b"),
        (QPalette.ColorRole.ButtonText, "#eff0f1"),
        (QPalette.ColorRole.Highlight, "#3daee9"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#31363b"),
        (QPalette.ColorRole.ToolTipText, "#eff0f1"),
        (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
        (QPalette.ColorRole.Mid, "#4d5257"),
        (QPalette.ColorRole.Link, "#7fb0f0"),
    ):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)
    # Screens paint their status icons from the palette when they refresh.
    ctx.notify_data_changed(ctx.engagement_id)
    window.go_to(Screen.DASHBOARD)
    shot("10-dashboard-dark")
    window.go_to(Screen.CHECKLIST)
    window.checklist.checklist.select_control("sg-inbound")
    page.tabs.setCurrentWidget(page.results)
    shot("11-checklist-dark")

    window.close()
    pool.waitForDone(30000)
    ctx.db.close()
    stop = getattr(ctx.demo, "stop", None)
    if callable(stop):
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
