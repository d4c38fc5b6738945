"""Run checks for one control from its page, against the moto server, through the shell's
ScanController: the latest scan's rows appear in the table and the delta panel."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

import boto3
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.store.database import Database
from app.store.engagements import get_engagement, update_engagement
from app.ui.checklist_page import ChecklistPage
from app.ui.context import AppContext, SignedIn
from app.ui.control_page.results_model import LINE_ROLE
from app.ui.scan_controller import ScanController
from tests.ui.controls_fixtures import ARN, db, engagement_id, signed_in  # noqa: F401


def test_run_checks_for_this_control_shows_the_new_population(
    aws: str, ctx: AppContext, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        update_engagement(session, engagement, actor=ARN, regions=["us-east-1"])
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    account = boto3.client("sts").get_caller_identity()
    ctx.set_signed_in(
        SignedIn(
            account_id=account["Account"],
            arn=account["Arn"],
            make_session=lambda: boto3.Session(region_name="us-east-1"),
        )
    )
    ctx.scans = ScanController(ctx)
    screen = ChecklistPage(ctx)
    qtbot.addWidget(screen)
    screen.show()
    ctx.set_engagement(engagement_id)
    screen.checklist.select_control("sg-inbound")
    page = screen.page
    assert page.control_id == "sg-inbound"
    before = page.results.model.rowCount()
    with qtbot.waitSignal(ctx.scans.scan_finished, timeout=120_000):
        qtbot.mouseClick(page.header.run_button, Qt.MouseButton.LeftButton)
    assert page.header.run_button.isEnabled()
    proxy = page.results.proxy
    lines = [proxy.index(r, 0).data(LINE_ROLE) for r in range(proxy.rowCount())]
    ours = [line for line in lines if line.resource.endswith(group)]
    assert len(ours) == 1 and ours[0].status == "FAIL" and ours[0].region == "us-east-1"
    assert all(line.account_id == account["Account"] for line in lines)
    assert len(lines) == page.results.model.rowCount() != before
    # Moto's account is the fixture's: the delta compares with the fixture's last scan,
    # whose made-up groups the real scan no longer sees.
    delta = page.results.delta.text()
    assert "4 gone (sg-0bbb, sg-0ddd, sg-0aaa and 1 more)" in delta or "4 gone" in delta
    assert f"new ({group}" in delta or group in delta
    assert page.header.status_text.text() == "Failing"
    assert screen.checklist.statuses["sg-inbound"] == "failing"
