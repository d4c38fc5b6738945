"""Exceptions: matching by control and resource pattern, expiry, revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from app.store.audit import audit_log
from app.store.errors import InvalidInput
from app.store.models import Engagement
from app.store.risk import (
    active_exceptions,
    add_exception,
    covers,
    matching_exception,
    revoke_exception,
    today_utc,
)

SG = "arn:aws:ec2:eu-west-1:123456789012:security-group/"


def test_an_exception_matches_control_and_resource_pattern(
    session: Session, engagement: Engagement
) -> None:
    today = today_utc()
    legacy = add_exception(
        session,
        engagement,
        "sg-inbound",
        actor="ana",
        justification="Legacy VPN appliance until migration",
        approver="CTO",
        expires_on=today + timedelta(days=30),
        resource_pattern=f"{SG}sg-legacy*",
    )
    assert covers(legacy, "sg-inbound", f"{SG}sg-legacy-1", today)
    assert not covers(legacy, "sg-inbound", f"{SG}sg-prod", today)
    assert not covers(legacy, "no-ssh", f"{SG}sg-legacy-1", today)  # other control
    assert not covers(legacy, "sg-inbound", f"{SG}SG-LEGACY-1", today)  # ARNs are case-sensitive
    found = matching_exception([legacy], "sg-inbound", f"{SG}sg-legacy-2", today)
    assert found is legacy
    assert audit_log(session)[-1].action == "exception.add"


def test_an_exception_expires_after_its_last_day(session: Session, engagement: Engagement) -> None:
    today = today_utc()
    last_day = today + timedelta(days=10)
    short = add_exception(
        session,
        engagement,
        "no-ssh",
        actor="ana",
        justification="j",
        approver="CTO",
        expires_on=last_day,
    )
    assert covers(short, "no-ssh", "anything", last_day)
    assert not covers(short, "no-ssh", "anything", last_day + timedelta(days=1))
    assert active_exceptions(session, engagement, on=last_day) == [short]
    assert active_exceptions(session, engagement, on=last_day + timedelta(days=1)) == []
    assert (
        active_exceptions(session, engagement, on=today - timedelta(days=1)) == []
    )  # not yet made


def test_a_revoked_exception_no_longer_applies(session: Session, engagement: Engagement) -> None:
    exception = add_exception(
        session,
        engagement,
        "nacls",
        actor="ana",
        justification="j",
        approver="CTO",
        expires_on=today_utc() + timedelta(days=5),
    )
    assert active_exceptions(session, engagement, control_id="nacls") == [exception]
    revoke_exception(session, exception, actor="bob", reason="fixed")
    assert active_exceptions(session, engagement) == []
    assert exception.revoked_at is not None
    with pytest.raises(InvalidInput, match="already revoked"):
        revoke_exception(session, exception, actor="bob")
    assert audit_log(session)[-1].actor == "bob"


def test_an_exception_needs_reason_approver_and_future_expiry(
    session: Session, engagement: Engagement
) -> None:
    soon = today_utc() + timedelta(days=1)
    with pytest.raises(InvalidInput, match="why"):
        add_exception(
            session, engagement, "c", actor="a", justification=" ", approver="x", expires_on=soon
        )
    with pytest.raises(InvalidInput, match="approved"):
        add_exception(
            session, engagement, "c", actor="a", justification="j", approver="", expires_on=soon
        )
    with pytest.raises(InvalidInput, match="past"):
        add_exception(
            session,
            engagement,
            "c",
            actor="a",
            justification="j",
            approver="x",
            expires_on=today_utc() - timedelta(days=1),
        )
