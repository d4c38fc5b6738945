"""Member accounts against moto: one scan per account, an unassumable role reported.

Two member accounts at most: each moto account carries its own backends and the
shared server's reset grows slower with every account created.
"""

from __future__ import annotations

import threading
from pathlib import Path

import boto3
import pytest

from app.aws.calls import ScanCancelled
from app.aws.identity import ScanUnavailable
from app.controls.results import CheckResult
from app.scan.accounts import scan_members
from app.scan.request import OrgScope, ScanRequest, ScanWatch
from app.store import accounts as account_store
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store.database import open_database
from app.store.models import AuditLogEntry, ResultRow, Scan
from tests.scan.helpers import MANAGEMENT, make_organization, refusing_assume_role

CONTROLS = ["no-iam-access-keys", "sg-inbound"]  # a global and a regional part: quick


@pytest.mark.slow
def test_each_member_gets_its_own_scan_and_keeps_its_account_id(aws: str, tmp_path: Path) -> None:
    ids = make_organization()
    seen: list[CheckResult] = []
    turns: list[tuple[int, int, str]] = []
    messages: list[str] = []

    with open_database(tmp_path / "org.sqlite3") as db:
        summary = scan_members(
            ScanRequest(
                boto3.Session,
                controls=CONTROLS,
                regions=["us-east-1"],
                actor="tester",
                org=OrgScope(role="AuditBinderReadOnly", account_ids=(ids["prod"], ids["staging"])),
            ),
            db,
            ScanWatch(
                progress=lambda done, total, message: messages.append(message),
                on_results=lambda control, rows: seen.extend(rows),
                on_account=lambda i, n, account: turns.append((i, n, account.name)),
            ),
        )

        assert summary.engagement == MANAGEMENT  # named after the signed-in account
        assert [m.account.name for m in summary.scanned] == ["prod", "staging"]
        assert summary.failed == () and summary.skipped == ()
        assert turns == [(1, 2, "prod"), (2, 2, "staging")]
        assert any(m.startswith(f"prod ({ids['prod']}): Signed in as ") for m in messages)
        for member in summary.members:
            assert member.outcome is not None
            assert member.outcome.identity.account_id == member.account.account_id
            assert member.outcome.identity.caller_arn.endswith("/AuditBinderReadOnly/audit-binder")
            assert member.outcome.results
            assert {r.account_id for r in member.outcome.results} == {member.account.account_id}
        assert {r.account_id for r in seen} == {ids["prod"], ids["staging"]}

        with db.session() as session:
            stored = session.query(Scan).order_by(Scan.id).all()
            assert [(s.account_id, s.state) for s in stored] == [
                (ids["prod"], "complete"),
                (ids["staging"], "complete"),
            ]
            assert {s.engagement.name for s in stored} == {MANAGEMENT}
            for scan in stored:
                assert {r.account_id for r in scan.results} == {scan.account_id}
                assert scan.caller_arn.startswith(f"arn:aws:sts::{scan.account_id}:assumed-role/")
            engagement = engagement_store.engagement_named(session, MANAGEMENT)
            in_scope = account_store.list_accounts(session, engagement)
            assert {(a.account_id, a.alias) for a in in_scope} == {
                (ids["prod"], "prod"),
                (ids["staging"], "staging"),
            }
            assert all(
                a.sign_in == {"kind": "org-role", "role": "AuditBinderReadOnly", "via": MANAGEMENT}
                for a in in_scope
            )
            # Both accounts count in the checklist, each with its own rows.
            latest = scan_store.latest_facts(session, engagement, CONTROLS)
            assert {f.account_id for f in latest["sg-inbound"]} == {ids["prod"], ids["staging"]}

        # Scanning again reuses the accounts in scope instead of failing on duplicates.
        again = scan_members(
            ScanRequest(
                boto3.Session,
                MANAGEMENT,
                controls=["no-iam-access-keys"],
                regions=["us-east-1"],
                actor="tester",
                org=OrgScope(account_ids=(ids["prod"],)),
            ),
            db,
        )
        assert [m.account.account_id for m in again.scanned] == [ids["prod"]]


@pytest.mark.slow
def test_an_account_whose_role_cannot_be_assumed_fails_alone(aws: str, tmp_path: Path) -> None:
    ids = make_organization()
    base = refusing_assume_role(ids["prod"])

    with open_database(tmp_path / "org.sqlite3") as db:
        summary = scan_members(
            ScanRequest(
                lambda: base,
                "Acme org",
                controls=CONTROLS,
                regions=["us-east-1"],
                actor="tester",
                org=OrgScope(
                    role="Audit",
                    account_ids=(ids["prod"], ids["staging"]),
                    external_id="client-external-id",
                ),
            ),
            db,
        )

        (failed,) = summary.failed
        assert failed.account.account_id == ids["prod"]
        assert failed.outcome is None and failed.scan_id is not None
        assert f"could not assume arn:aws:iam::{ids['prod']}:role/Audit" in failed.error
        assert "access denied" in failed.error
        assert [m.account.account_id for m in summary.scanned] == [ids["staging"]]

        with db.session() as session:
            by_account = {s.account_id: s for s in session.query(Scan).all()}
            assert by_account[ids["prod"]].state == "failed"
            assert by_account[ids["prod"]].error == failed.error
            assert by_account[ids["prod"]].id == failed.scan_id
            assert by_account[ids["staging"]].state == "complete"
            # The failed account has no rows at all: nothing about it can read as a PASS.
            assert session.query(ResultRow).filter(ResultRow.account_id == ids["prod"]).count() == 0
            engagement = engagement_store.engagement_named(session, "Acme org")
            latest = scan_store.latest_facts(session, engagement, CONTROLS)
            assert {f.account_id for c in CONTROLS for f in latest[c]} == {ids["staging"]}
            # Still in scope: it was asked for and must be fixed, not forgotten.
            assert {a.account_id for a in account_store.list_accounts(session, engagement)} == {
                ids["prod"],
                ids["staging"],
            }
            # The external id is nowhere in the DB (scope, scans or audit log).
            texts = [str(e.detail) for e in session.query(AuditLogEntry).all()]
            texts += [str(a.sign_in) for a in account_store.list_accounts(session, engagement)]
            assert texts and not any("client-external-id" in t for t in texts)


@pytest.mark.slow
def test_every_account_by_default_and_unknown_ids_refused(aws: str, tmp_path: Path) -> None:
    ids = make_organization()
    with open_database(tmp_path / "org.sqlite3") as db:
        with pytest.raises(ScanUnavailable, match="Not in the organization: 999999999999"):
            scan_members(
                ScanRequest(boto3.Session, org=OrgScope(account_ids=("999999999999", ids["prod"]))),
                db,
            )
        with pytest.raises(ScanUnavailable, match="Unknown control"):
            scan_members(
                ScanRequest(boto3.Session, controls=["no-such-control"], org=OrgScope()), db
            )
        with db.session() as session:
            assert session.query(Scan).count() == 0  # refused before anything was stored

        cancel = threading.Event()
        with pytest.raises(ScanCancelled):
            scan_members(
                ScanRequest(
                    boto3.Session,
                    controls=["no-iam-access-keys"],
                    regions=["us-east-1"],
                    org=OrgScope(),
                ),
                db,
                ScanWatch(
                    cancel=cancel, on_account=lambda i, n, account: cancel.set() if i == 2 else None
                ),
            )
        with db.session() as session:
            # Every account by default (management included): cancelled as the second began.
            states = [(s.account_id, s.state) for s in session.query(Scan).order_by(Scan.id)]
        assert len(states) == 2
        assert states[0][1] == "complete" and states[1][1] == "incomplete"
        assert {states[0][0], states[1][0]} <= {MANAGEMENT, *ids.values()}
