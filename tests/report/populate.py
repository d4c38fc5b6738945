"""Writing a realistic engagement into a real store, for binder tests and the benchmark."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from app.controls.catalogue import SOC2_CATEGORIES, Catalogue
from app.controls.results import CheckResult, Status
from app.evidence import Evidence
from app.services import soa
from app.services.soa_model import DecisionChange
from app.store.accounts import add_account
from app.store.attachments import add_attachment
from app.store.control_states import set_control_state
from app.store.engagements import create_engagement
from app.store.models import Attachment, Engagement, ResultRow, Scan
from app.store.risk import add_exception
from app.store.scans import add_results, finish_scan, start_scan
from app.store.signoffs import sign_off

ACCOUNT = "123456789012"
CALLER = "arn:aws:sts::123456789012:assumed-role/AuditReadOnly/founder@example.com"
ACTOR = "tester"
HOSTILE = "<script>alert(1)</script> a<b R&D 😀 中文名称 한국어 日本語 עברית مرحبا " + "x" * 300


@dataclass
class Spec:
    engagement: str = "Acme 2026"
    client: str = "Acme GmbH"
    results_per_check: int = 3
    images: int = 1
    corrupt_image: bool = True
    text_file: bool = True
    hostile: bool = False
    two_scans: bool = True
    period: tuple[date, date] | None = None
    is_demo: bool = False
    controls: tuple[str, ...] = field(default_factory=tuple)  # empty: all
    # A decided and approved Statement of Applicability, and a file for every evidence
    # item of every manual control (the benchmark's whole audit).
    whole_audit: bool = False


def png_bytes(index: int, size: tuple[int, int] = (900, 560)) -> bytes:
    image = Image.new("RGB", size, (240, 244, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, size[0] - 20, 80), fill=(29, 78, 137))
    draw.text((40, 40), f"Console screenshot {index}", fill=(255, 255, 255))
    for line in range(8):
        draw.rectangle(
            (40, 110 + line * 45, size[0] - 60 - line * 30, 130 + line * 45), fill=(180, 190, 200)
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _results(catalogue: Catalogue, spec: Spec, when: datetime, variant: int) -> list[CheckResult]:
    results = []
    for control in catalogue.controls:
        if spec.controls and control.id not in spec.controls:
            continue
        for check in control.checks:
            for n in range(spec.results_per_check):
                region = ("us-east-1", "eu-west-1", "global")[n % 3]
                resource = (
                    f"arn:aws:ec2:{region}:{ACCOUNT}:{check.id}/res-{n:05d}-"
                    "0123456789abcdef0123456789abcdef"
                )
                status = Status.PASS
                if n == 1:
                    status = Status.FAIL if variant == 1 else Status.PASS
                elif n == 2:
                    status = Status.FAIL
                elif n % 11 == 7:
                    status = Status.ERROR
                detail = f"{check.id} judged {n}"
                if spec.hostile and n == 0:
                    detail = HOSTILE
                evidence = Evidence(
                    operation="ec2:DescribeSecurityGroups",
                    # Real checks page through one Describe call per region.
                    parameters={"MaxResults": 1000},
                    region=region,
                    collected_at=when,
                    excerpt={"GroupId": f"sg-{n:05d}"},
                )
                results.append(
                    CheckResult(
                        control=control.id,
                        check=check.id,
                        region=region,
                        resource=resource,
                        status=status,
                        detail=detail,
                        account_id=ACCOUNT,
                        evidence=(evidence,),
                    )
                )
    if variant == 0:
        # A resource only the first scan saw (removed by the second).
        results.append(
            CheckResult(
                control=catalogue.controls[0].id,
                check=catalogue.controls[0].checks[0].id,
                region="us-east-1",
                resource="arn:aws:ec2:us-east-1:123456789012:gone-1",
                status=Status.PASS,
                detail="was there",
                account_id=ACCOUNT,
            )
        )
    return results


def _scan(
    session: Session, engagement: Engagement, results: list[CheckResult], when: datetime
) -> Scan:
    scan = start_scan(
        session,
        engagement,
        account_id=ACCOUNT,
        actor=ACTOR,
        caller_arn=CALLER,
        regions=("us-east-1", "eu-west-1"),
    )
    scan.started_at = when
    add_results(session, scan, results)
    finish_scan(session, scan, actor=ACTOR)
    scan.finished_at = when + timedelta(seconds=9)
    for row in session.query(ResultRow).filter(ResultRow.scan_id == scan.id):
        row.collected_at = when
    session.flush()
    return scan


def populate(session: Session, catalogue: Catalogue, spec: Spec) -> Engagement:
    start, end = spec.period or (None, None)
    engagement = create_engagement(
        session,
        spec.engagement,
        actor=ACTOR,
        client=spec.client,
        frameworks=("iso27001", "soc2"),
        period_start=start,
        period_end=end,
        regions=("us-east-1", "eu-west-1"),
        is_demo=spec.is_demo,
        notes=HOSTILE if spec.hostile else "",
    )
    add_account(session, engagement, ACCOUNT, actor=ACTOR, alias="acme-prod")
    now = datetime.now(UTC).replace(microsecond=0)
    if spec.two_scans:
        _scan(
            session,
            engagement,
            _results(catalogue, spec, now - timedelta(days=2), 0),
            now - timedelta(days=2),
        )
    _scan(
        session,
        engagement,
        _results(catalogue, spec, now - timedelta(hours=1), 1),
        now - timedelta(hours=1),
    )
    first = catalogue.controls[0].id
    backups = "backups" if "backups" in catalogue.ids else catalogue.controls[-1].id
    item = catalogue.get(backups).manual_evidence
    for index in range(spec.images):
        add_attachment(
            session,
            engagement,
            backups,
            name=f"restore-test-{index}.png",
            content=png_bytes(index),
            actor=ACTOR,
            description="Restore test console screenshot",
            evidence_item=item[0].id if item else "",
        )
    if spec.corrupt_image:
        add_attachment(
            session,
            engagement,
            backups,
            name="broken.png",
            content=b"\x89PNG\r\n\x1a\nthis is not really a png",
            actor=ACTOR,
        )
    if spec.text_file:
        add_attachment(
            session,
            engagement,
            backups,
            name="restore-procedure.txt",
            content=b"1. pick a recovery point\n2. restore\n",
            actor=ACTOR,
        )
    if spec.hostile:
        add_attachment(
            session,
            engagement,
            first,
            name="<script>x</script>&.txt",
            content=HOSTILE.encode(),
            actor=ACTOR,
            description=HOSTILE,
        )
    set_control_state(
        session,
        engagement,
        first,
        actor=ACTOR,
        owner="Jane Ops",
        notes=HOSTILE if spec.hostile else "Default VPCs removed in March.",
    )
    add_exception(
        session,
        engagement,
        "sg-inbound" if "sg-inbound" in catalogue.ids else first,
        actor=ACTOR,
        justification="Legacy partner VPN until migration" + (HOSTILE if spec.hostile else ""),
        approver="CTO <cto@example.com>",
        expires_on=date.today() + timedelta(days=60),
        resource_pattern="*res-00002*",
    )
    sign_off(
        session,
        engagement,
        "cloudtrail" if "cloudtrail" in catalogue.ids else first,
        reviewer="Rita Reviewer",
        role="Security lead",
        comment="Checked trail config",
    )
    if spec.whole_audit:
        _whole_audit(session, engagement, catalogue)
    session.flush()
    return engagement


def _whole_audit(session: Session, engagement: Engagement, catalogue: Catalogue) -> None:
    for control in catalogue.controls:
        if control.automated:
            continue
        for item in control.manual_evidence:
            add_attachment(
                session,
                engagement,
                control.id,
                name=f"{item.id}.csv",
                content=f"record,owner,date\n{item.title},Jane Ops,2026-10-01\n".encode(),
                actor=ACTOR,
                description=item.title,
                evidence_item=item.id,
            )
    ids = [c.id for c in catalogue.criteria_of("iso27001")]
    owner = DecisionChange(applies=True, reason="risk-treatment", owner="Jane Ops (CISO)")
    soa.decide(session, engagement, catalogue, ids, owner, actor=ACTOR)
    why = DecisionChange(applies=False, justification="No such activity in this company; " * 3)
    soa.decide(session, engagement, catalogue, ids[::15], why, actor=ACTOR)
    soa.set_soc2_scope(session, engagement, SOC2_CATEGORIES, actor=ACTOR)
    soa.approve(session, engagement, catalogue, reviewer="Rita Reviewer", role="CEO")


def age_attachments(session: Session, engagement: Engagement, days: int) -> None:
    """Move every attachment's time back (to test out-of-period marking)."""
    for item in session.query(Attachment).filter(Attachment.engagement_id == engagement.id):
        item.added_at = item.added_at - timedelta(days=days)
    session.flush()
