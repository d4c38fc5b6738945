"""Several writers on one engagement: nothing lost, chains intact, no silent overwrite.

The process test starts two real processes (`team_worker.py`) against the same store, on
each back end: both scan the account (moto), attach files, sign off controls and edit
the same note at once. SQLite serialises writers itself; PostgreSQL takes a row lock on
the engagement for each sign-off, and every edit of a control's state checks the
version it read.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.store import engagements
from app.store.attachments import attachments
from app.store.audit import audit_log
from app.store.control_states import control_state, set_control_state
from app.store.database import Database, open_database
from app.store.decisions import Decision, decision_versions, decisions, set_decisions
from app.store.engagements import (
    create_engagement,
    engagement_named,
    find_or_create_engagement,
    list_engagements,
)
from app.store.errors import EditConflict
from app.store.location import StoreLocation
from app.store.models import ControlState, CriterionDecision, Engagement, Scan
from app.store.signoffs import sign_offs, verify_chain
from tests.store import team_worker

ROOT = Path(__file__).resolve().parents[2]


def _edit(db: Database, engagement: Engagement, actor: str, **change: Any) -> None:
    with db.session() as session:
        set_control_state(session, session.merge(engagement), "nacls", actor=actor, **change)


def _notes(db: Database, engagement: Engagement) -> str:
    with db.session() as session:
        state = control_state(session, session.merge(engagement), "nacls")
        return state.notes if state else ""


def test_an_edit_from_a_stale_view_is_refused_and_the_other_kept(db: Database) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="a")
        seen = set_control_state(session, engagement, "nacls", actor="ana", notes="v1").updated_at
    _edit(db, engagement, "bob", notes="bob's text", expected=seen)  # Bob saves first
    stale = pytest.raises(EditConflict, match=r"changed by bob at .* not saved")
    with stale as raised:
        _edit(db, engagement, "ana", notes="ana's text", expected=seen)
    assert "\n" not in str(raised.value)
    assert _notes(db, engagement) == "bob's text"


def test_a_first_edit_made_twice_at_once_keeps_one(db: Database) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="a")
    _edit(db, engagement, "bob", owner="Bob", expected=None)  # both saw no state yet
    with pytest.raises(EditConflict):
        _edit(db, engagement, "ana", owner="Ana", expected=None)


def test_a_write_racing_another_is_refused_by_the_store_itself(db: Database) -> None:
    """Ana's edit reads the state; Bob commits before Ana writes (the moment between the
    check and the write); Ana's write must not land on top of Bob's."""
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="a")
        seen = set_control_state(session, engagement, "nacls", actor="a", notes="v1").updated_at

    def bob_gets_in_first(session: Session, *_args: object) -> None:
        writing = any(isinstance(row, ControlState) for row in session.dirty)
        if writing and not bob_was_first:  # Ana checked her version and is about to write
            bob_was_first.append(True)
            _edit(db, engagement, "bob", notes="bob's")

    # The UPDATE carries the version Ana read and finds it gone: refused, not applied.
    bob_was_first: list[bool] = []
    with pytest.raises(EditConflict), db.session() as session:
        event.listen(session, "before_flush", bob_gets_in_first)
        merged = session.merge(engagement)
        set_control_state(session, merged, "nacls", actor="ana", notes="ana's", expected=seen)
    assert bob_was_first and _notes(db, engagement) == "bob's"


def test_a_decision_changed_since_it_was_read_is_refused_all_or_nothing(db: Database) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="a")
        set_decisions(session, engagement, {"A.5.1": Decision(True, "legal")}, actor="ana")
        seen = decision_versions(session, engagement)
    with db.session() as session:  # Bob excludes A.5.1 first
        bob = {"A.5.1": Decision(False, justification="no such policy here")}
        set_decisions(session, session.merge(engagement), bob, actor="bob", expected=seen)
    ana = {"A.5.1": Decision(True, "contractual"), "A.5.2": Decision(True, "legal")}
    stale = pytest.raises(EditConflict, match=r"A\.5\.1 was changed by bob at .* nothing was saved")
    with stale, db.session() as session:
        set_decisions(session, session.merge(engagement), ana, actor="ana", expected=seen)
    with db.session() as session:
        stored = decisions(session, session.merge(engagement))
    assert stored == {"A.5.1": Decision(False, justification="no such policy here")}


def test_a_decision_written_by_two_at_once_keeps_the_first(db: Database) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="a")
        set_decisions(session, engagement, {"A.5.1": Decision(True, "legal")}, actor="ana")

    def bob_first(session: Session, *_args: object) -> None:
        writing = any(isinstance(row, CriterionDecision) for row in session.dirty)
        if writing and not bob_was_first:  # Ana is about to write: Bob gets in first
            bob_was_first.append(True)
            with db.session() as bob:
                change = {"A.5.1": Decision(True, "business")}
                set_decisions(bob, bob.merge(engagement), change, actor="bob")

    bob_was_first: list[bool] = []
    with pytest.raises(EditConflict), db.session() as session:
        event.listen(session, "before_flush", bob_first)
        change = {"A.5.1": Decision(True, "contractual")}
        set_decisions(session, session.merge(engagement), change, actor="ana")
    with db.session() as session:
        assert decisions(session, session.merge(engagement))["A.5.1"].reason == "business"
    assert bob_was_first


def test_an_engagement_created_by_two_writers_at_once_is_created_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduled scan and a laptop scan into a new engagement by name: the laptop looked
    (not there yet), then the scheduler created it, then the laptop creates it too."""
    with db.session() as session:
        create_engagement(session, "123456789012", actor="scheduler")
    real_find, looks = engagements.find_engagement, []

    def looked_before_the_scheduler(session: Session, name: str) -> Engagement | None:
        looks.append(name)
        return None if len(looks) <= 2 else real_find(session, name)

    monkeypatch.setattr(engagements, "find_engagement", looked_before_the_scheduler)
    with db.session() as session:
        found = find_or_create_engagement(session, "123456789012", actor="laptop")
        assert found.name == "123456789012"
    monkeypatch.undo()
    with db.session() as session:
        assert [e.name for e in list_engagements(session)] == ["123456789012"]
        assert [e.actor for e in audit_log(session)] == ["scheduler"]  # created once
    assert len(looks) == 3  # the laptop's insert was refused, and it found the other one


def _start(location: StoreLocation, name: str, signal: Path, log: Path) -> subprocess.Popen[str]:
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    target = str(location.connect_url().render_as_string(hide_password=False))
    if not location.is_server:
        target = str(location.sqlite_path)
    with log.open("w") as stderr:  # the worker keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "tests.store.team_worker", target, name, str(signal)],
            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip


@pytest.mark.slow
def test_two_processes_scan_attach_and_sign_off_at_once_and_lose_nothing(
    aws: str, store_location: StoreLocation, tmp_path: Path
) -> None:
    with open_database(store_location) as db, db.session() as session:
        engagement = create_engagement(session, team_worker.ENGAGEMENT, actor="lead")
        set_control_state(session, engagement, team_worker.NOTE_CONTROL, actor="lead", notes="v1")
    signal = tmp_path / "go"
    names = ("ana", "bob")
    workers = [_start(store_location, n, signal, tmp_path / f"{n}.log") for n in names]
    deadline = time.monotonic() + 120
    while not all("ready" in (tmp_path / f"{n}.log").read_text() for n in names):
        assert all(w.poll() is None for w in workers), [
            p.read_text() for p in tmp_path.glob("*.log")
        ]
        assert time.monotonic() < deadline, "the workers did not get ready"
        time.sleep(0.05)
    signal.touch()
    reports = {}
    for name, worker in zip(names, workers, strict=True):
        out, _ = worker.communicate(timeout=240)
        assert worker.returncode == 0, (tmp_path / f"{name}.log").read_text()
        reports[name] = json.loads(out.strip().splitlines()[-1])

    with open_database(store_location) as db, db.session() as session:
        engagement = engagement_named(session, team_worker.ENGAGEMENT)
        stored_scans = {s.id: s for s in session.query(Scan).all()}
        for report in reports.values():
            scan = stored_scans[report["scan"]]
            assert scan.state == "complete" and len(scan.results) == report["results"] > 0
        assert len(stored_scans) == 2
        files = sorted(a.sha256 for a in attachments(session, engagement))
        assert files == sorted(h for r in reports.values() for h in r["attachments"])
        chain = sign_offs(session, engagement)
        assert sorted(s.record_hash for s in chain) == sorted(
            h for r in reports.values() for h in r["sign_offs"]
        )
        check = verify_chain(session, engagement)
        assert check.ok, check.problems
        assert check.checked == 2 * 12
        notes = sorted(r["note"].split(":")[0] for r in reports.values())
        assert notes == ["conflict", "saved"], reports
        winner = next(n for n, r in reports.items() if r["note"] == "saved")
        state = control_state(session, engagement, team_worker.NOTE_CONTROL)
        assert state is not None and state.notes == f"restore tested by {winner}"
        turns = sum(1 for a, b in itertools.pairwise(chain) if a.reviewer != b.reviewer)
    backend = "postgresql" if store_location.is_server else "sqlite"
    print(f"[{backend}] chain of {check.checked} intact; the reviewer changed {turns} times")
