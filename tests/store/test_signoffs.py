"""Sign-offs: append-only hash chain, tamper detection, staleness."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.controls.results import Status
from app.store.attachments import add_attachment
from app.store.control_states import set_control_state
from app.store.database import Database
from app.store.models import AppendOnlyViolation, Engagement
from app.store.risk import add_exception, today_utc
from app.store.signoffs import current_approved_hash, record_hash, sign_off, sign_offs, verify_chain
from tests.store.conftest import record_scan, result


def _signed_engagement(session: Session, engagement: Engagement) -> None:
    record_scan(
        session, engagement, [result(), result("no-ssh"), result("backups", check="backup-plan")]
    )
    sign_off(session, engagement, "sg-inbound", reviewer="Ana", role="CISO", comment="ok")
    sign_off(session, engagement, "no-ssh", reviewer="Bob", role="Auditor")
    sign_off(session, engagement, "backups", reviewer="Ana", role="CISO")


def test_sign_offs_form_a_chain(session: Session, engagement: Engagement) -> None:
    _signed_engagement(session, engagement)
    chain = sign_offs(session, engagement)
    assert [s.previous_hash for s in chain] == ["", chain[0].record_hash, chain[1].record_hash]
    assert all(record_hash(s) == s.record_hash for s in chain)
    assert chain[0].approved_hash == current_approved_hash(session, engagement, "sg-inbound")
    assert chain[0].approved_hash != chain[1].approved_hash
    check = verify_chain(session, engagement)
    assert check.ok and check.checked == 3


def test_an_edited_sign_off_breaks_the_chain(db: Database) -> None:
    with db.session() as session:
        from app.store.engagements import create_engagement

        engagement = create_engagement(session, "Acme", actor="a")
        _signed_engagement(session, engagement)
        second = sign_offs(session, engagement)[1]
    with db.engine.begin() as connection:  # someone edits the file behind the app's back
        connection.execute(
            text("UPDATE sign_offs SET reviewer = 'Mallory' WHERE id = :id"), {"id": second.id}
        )
    with db.session() as session:
        check = verify_chain(session, engagement)
    assert not check.ok
    assert any("sign-off 2" in p and "edited" in p for p in check.problems)


def test_recomputing_an_edited_row_still_breaks_the_next_link(db: Database) -> None:
    with db.session() as session:
        from app.store.engagements import create_engagement

        engagement = create_engagement(session, "Acme", actor="a")
        _signed_engagement(session, engagement)
    with db.session() as session:
        edited = sign_offs(session, engagement)[0]
        edited.comment = "rewritten"
        forged = record_hash(edited)  # a careful forger fixes the row's own hash
        session.expunge(edited)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE sign_offs SET comment = 'rewritten', record_hash = :h WHERE id = :id"),
            {"h": forged, "id": edited.id},
        )
    with db.session() as session:
        check = verify_chain(session, engagement)
    assert not check.ok
    assert any("sign-off 2" in p and "does not follow" in p for p in check.problems)


def test_a_deleted_last_sign_off_is_found_through_the_audit_log(db: Database) -> None:
    with db.session() as session:
        from app.store.engagements import create_engagement

        engagement = create_engagement(session, "Acme", actor="a")
        _signed_engagement(session, engagement)
        last = sign_offs(session, engagement)[-1]
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM sign_offs WHERE id = :id"), {"id": last.id})
    with db.session() as session:
        check = verify_chain(session, engagement)
    assert check.checked == 2
    assert any("missing" in p and "backups" in p for p in check.problems)


def test_the_approved_hash_changes_with_what_was_approved(
    session: Session, engagement: Engagement
) -> None:
    record_scan(session, engagement, [result()])
    signed = sign_off(session, engagement, "sg-inbound", reviewer="Ana").approved_hash

    def now() -> str:
        return current_approved_hash(session, engagement, "sg-inbound")

    assert now() == signed
    set_control_state(session, engagement, "sg-inbound", actor="a", owner="Ops")
    assert now() == signed  # the owner is not part of what is approved
    set_control_state(session, engagement, "sg-inbound", actor="a", notes="reviewed rules")
    after_note = now()
    assert after_note != signed
    add_attachment(session, engagement, "sg-inbound", name="rules.txt", content=b"x", actor="a")
    after_file = now()
    assert after_file != after_note
    add_exception(
        session,
        engagement,
        "sg-inbound",
        actor="a",
        justification="j",
        approver="CTO",
        expires_on=today_utc() + timedelta(days=3),
    )
    after_exception = now()
    assert after_exception != after_file
    record_scan(session, engagement, [result(status=Status.FAIL)])
    assert now() != after_exception
    # An identical new scan is not a change: same population, same statuses.
    same = now()
    record_scan(session, engagement, [result(status=Status.FAIL)])
    assert now() == same


def test_the_app_cannot_edit_or_delete_a_sign_off(db: Database) -> None:
    with db.session() as session:
        from app.store.engagements import create_engagement

        engagement = create_engagement(session, "Acme", actor="a")
        sign_off(session, engagement, "backups", reviewer="Ana")
    with pytest.raises(AppendOnlyViolation), db.session() as session:
        sign_offs(session, engagement)[0].comment = "changed my mind"
    with pytest.raises(AppendOnlyViolation), db.session() as session:
        session.delete(sign_offs(session, engagement)[0])
    with db.session() as session:
        assert [s.comment for s in sign_offs(session, engagement)] == [""]
        assert verify_chain(session, engagement).ok
