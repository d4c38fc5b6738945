"""Repositories: engagements, accounts, scans and latest results, states, attachments."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.controls.results import Status
from app.store.accounts import add_account, list_accounts, remove_account, update_account
from app.store.attachments import add_attachment, attachments, remove_attachment, sniff_media_type
from app.store.audit import audit_log
from app.store.control_states import control_state, set_control_state
from app.store.database import Database
from app.store.engagements import (
    create_engagement,
    delete_engagement,
    engagement_named,
    get_engagement,
    list_engagements,
    update_engagement,
)
from app.store.errors import InvalidInput, NameTaken, NotFound
from app.store.models import Engagement
from app.store.scans import (
    add_results,
    finish_scan,
    latest_complete_scan,
    latest_results,
    to_check_result,
)
from tests.store.conftest import ACCOUNT, record_scan, result


def _actions(session: Session) -> list[str]:
    return [entry.action for entry in audit_log(session)]


def test_engagements_create_get_list_update_delete(db: Database) -> None:
    with db.session() as session:
        acme = create_engagement(session, "  Acme   2026 ", actor="ana", client="Acme")
        create_engagement(session, "Beta", actor="ana", frameworks=["soc2"])
    with db.session() as session:
        assert [e.name for e in list_engagements(session)] == ["Acme 2026", "Beta"]
        assert get_engagement(session, acme.id).client == "Acme"
        beta = engagement_named(session, "Beta")
        assert beta.frameworks == ["soc2"]
        update_engagement(
            session, beta, actor="bob", name="Beta Corp", period_start=date(2026, 1, 1)
        )
    with db.session() as session:
        beta = engagement_named(session, "Beta Corp")
        assert beta.period_start == date(2026, 1, 1)
        update_entry = next(e for e in audit_log(session) if e.action == "engagement.update")
        assert update_entry.actor == "bob"
        assert update_entry.detail["name"] == {"from": "Beta", "to": "Beta Corp"}
        delete_engagement(session, beta, actor="bob")
    with db.session() as session:
        assert [e.name for e in list_engagements(session)] == ["Acme 2026"]
        with pytest.raises(NotFound):
            engagement_named(session, "Beta Corp")
        assert _actions(session) == [
            "engagement.create",
            "engagement.create",
            "engagement.update",
            "engagement.delete",
        ]


def test_engagement_names_are_unique(session: Session, engagement: Engagement) -> None:
    with pytest.raises(NameTaken, match="already exists"):
        create_engagement(session, "Acme 2026", actor="ana")
    other = create_engagement(session, "Other", actor="ana")
    with pytest.raises(NameTaken):
        update_engagement(session, other, actor="ana", name="Acme  2026")


def test_engagement_input_is_checked(session: Session) -> None:
    with pytest.raises(InvalidInput, match="name"):
        create_engagement(session, "   ", actor="ana")
    with pytest.raises(InvalidInput, match="Unknown framework"):
        create_engagement(session, "X", actor="ana", frameworks=["pci"])
    with pytest.raises(InvalidInput, match="before it starts"):
        create_engagement(
            session, "Y", actor="ana", period_start=date(2026, 6, 1), period_end=date(2026, 1, 1)
        )


def test_accounts_never_hold_secrets(session: Session, engagement: Engagement) -> None:
    account = add_account(
        session,
        engagement,
        ACCOUNT,
        actor="ana",
        alias="prod",
        sign_in={"kind": "profile", "profile": "p"},
    )
    with pytest.raises(InvalidInput, match="secrets"):
        update_account(session, account, actor="ana", sign_in={"aws_secret_access_key": "x"})
    with pytest.raises(InvalidInput, match="12 digits"):
        add_account(session, engagement, "12345", actor="ana")
    with pytest.raises(InvalidInput, match="already"):
        add_account(session, engagement, ACCOUNT, actor="ana")
    assert [a.alias for a in list_accounts(session, engagement)] == ["prod"]
    remove_account(session, account, actor="ana")
    assert list_accounts(session, engagement) == []
    assert _actions(session)[-2:] == ["account.add", "account.remove"]


def test_a_scan_stores_results_and_is_then_closed(session: Session, engagement: Engagement) -> None:
    scan = record_scan(session, engagement, [result(status=Status.FAIL)], state="running")
    assert scan.runner.endswith(f":{__import__('os').getpid()}")
    finish_scan(session, scan, "complete", actor="ana")
    assert scan.finished_at is not None and scan.finished_at >= scan.started_at
    with pytest.raises(InvalidInput, match="only be added while it runs"):
        add_results(session, scan, [result()])
    with pytest.raises(InvalidInput, match="already finished"):
        finish_scan(session, scan, "failed", actor="ana")
    back = to_check_result(scan.results[0])
    assert back == result(status=Status.FAIL)  # evidence included
    finish_entry = next(e for e in audit_log(session) if e.action == "scan.finish")
    assert finish_entry.detail["results"] == 1


def test_latest_results_use_the_newest_complete_scan_per_control(
    session: Session, engagement: Engagement
) -> None:
    record_scan(session, engagement, [result(status=Status.FAIL), result("no-ssh")])
    newest_full = record_scan(session, engagement, [result(status=Status.PASS), result("no-ssh")])
    # Later, one control re-run on its own, and a crashed full scan: neither replaces
    # the full scan for other controls; the crashed one counts for nothing.
    only_sg = record_scan(session, engagement, [result(detail="re-run")], controls=["sg-inbound"])
    record_scan(session, engagement, [result(status=Status.FAIL)], state="incomplete")
    other = replace(result(status=Status.ERROR), account_id="210987654321")
    record_scan(session, engagement, [other], account_id="210987654321")

    rows = latest_results(session, engagement, ["sg-inbound", "no-ssh", "backups"])
    sg = rows["sg-inbound"]
    assert {(r.scan_id, r.detail) for r in sg if r.account_id == ACCOUNT} == {
        (only_sg.id, "re-run")
    }
    assert {r.account_id for r in sg} == {ACCOUNT, "210987654321"}
    assert [r.scan_id for r in rows["no-ssh"]] == [newest_full.id]
    assert rows["backups"] == []
    assert latest_complete_scan(session, engagement, ACCOUNT) is only_sg


def test_control_state_changes_are_logged(session: Session, engagement: Engagement) -> None:
    assert control_state(session, engagement, "backups") is None
    set_control_state(
        session, engagement, "backups", actor="ana", owner="Ops", notes="Restore test"
    )
    set_control_state(session, engagement, "backups", actor="bob", notes="Restore test, May")
    state = control_state(session, engagement, "backups")
    assert state is not None and (state.owner, state.notes) == ("Ops", "Restore test, May")
    with pytest.raises(InvalidInput, match="why"):
        set_control_state(session, engagement, "nacls", actor="ana", applicability="not_applicable")
    changes = [e for e in audit_log(session) if e.action == "control.update"]
    assert [e.actor for e in changes] == ["ana", "bob"]
    assert changes[1].detail == {"notes": {"from": "Restore test", "to": "Restore test, May"}}


def test_attachments_keep_content_hash_type_size_and_who(
    session: Session, engagement: Engagement
) -> None:
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 10
    stored = add_attachment(
        session,
        engagement,
        "backups",
        name="C:\\Users\\ana\\restore test.txt",
        content=pdf,
        actor="ana",
    )
    assert stored.original_name == "restore test.txt"
    assert stored.media_type == "application/pdf"  # the content decides, not the name
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest()
    assert stored.size == len(pdf)
    assert stored.added_by == "ana" and stored.added_at.tzinfo is not None
    assert [a.content for a in attachments(session, engagement, "backups")] == [pdf]
    with pytest.raises(InvalidInput, match="empty"):
        add_attachment(session, engagement, "backups", name="x.txt", content=b"", actor="ana")
    logged = next(e for e in audit_log(session) if e.action == "attachment.add")
    assert logged.detail["sha256"] == stored.sha256
    remove_attachment(session, stored, actor="bob")
    assert attachments(session, engagement) == []
    assert _actions(session)[-1] == "attachment.remove"


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n....", "shot.jpg", "image/png"),
        (b"\xff\xd8\xff\xe0....", "photo", "image/jpeg"),
        (
            b"PK\x03\x04....",
            "policy.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (b"PK\x03\x04....", "bundle.bin", "application/zip"),
        (b"date,result\n2026-05-01,ok\n", "restores.csv", "text/csv"),
        ("Procédure d'accès".encode(), "procedure", "text/plain"),
        (b"\x00\x01\x02\x03", "blob", "application/octet-stream"),
    ],
)
def test_media_types_are_sniffed(content: bytes, name: str, expected: str) -> None:
    assert sniff_media_type(content, name) == expected
