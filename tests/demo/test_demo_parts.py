"""The demo's parts without a scan: the loopback guard, the seed, the fresh demo DB."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from app.controls.catalogue import load_catalogue
from app.demo.scenario import BuiltAccount, NotLoopback, build_demo_account
from app.demo.seed import create_demo_engagement, demo_period, load_demo_data, seed_manual_work
from app.demo.session import demo_db_path, fresh_demo_db
from app.services.soa import soa_rows, soa_state
from app.store.attachments import attachments
from app.store.control_states import control_state
from app.store.database import open_database
from app.store.decisions import REASONS
from app.store.engagements import list_engagements
from app.store.risk import exceptions
from app.store.signoffs import SOA_TARGET, sign_offs, verify_chain


@pytest.mark.parametrize(
    "endpoint",
    ["https://ec2.us-east-1.amazonaws.com", "http://10.0.0.5:5000", "http://example.com"],
)
def test_the_builder_refuses_anything_but_loopback(endpoint: str) -> None:
    with pytest.raises(NotLoopback):
        build_demo_account(endpoint)


def _built() -> BuiltAccount:
    built = BuiltAccount()
    built.groups[("us-east-1", "legacy-bastion")] = "sg-0bastion"
    return built


def _seed_twice(path: Path) -> None:
    data = load_demo_data()
    for _ in range(2):
        with open_database(path) as db, db.session() as session:
            engagement = create_demo_engagement(session, data, "123456789012")
            seed_manual_work(session, engagement, data, _built())


def test_seeding_again_replaces_the_demo_engagement_instead_of_doubling_it(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    _seed_twice(path)

    with open_database(path) as db, db.session() as session:
        (engagement,) = list_engagements(session)
        assert engagement.is_demo
        assert engagement.settings["sensitive_buckets"] == ["northwind-prod-data", "northwind-logs"]
        names = [a.original_name for a in attachments(session, engagement)]
        assert names[:3] == [
            "restore-test-2026-10.md",
            "restore-job-console.png",
            "session-manager-procedure.md",
        ]
        assert len(names) == len(set(names)) == 12  # once each, not twice
        assert [e.resource_pattern for e in exceptions(session, engagement)] == [
            "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0bastion",
            "arn:aws:cloudtrail:eu-west-1:123456789012:trail/eu-debug-trail",
        ]
        assert [s.control_id for s in sign_offs(session, engagement)] == [
            "cloudtrail",
            "security-policies",
            "security-training",
            "backups",
            SOA_TARGET,  # the Statement of Applicability's approval, version 1
        ]
        assert verify_chain(session, engagement).ok
        notes = control_state(session, engagement, "backups")
        assert notes is not None and notes.notes.endswith("(OPS-455).")
        # Markup-like user text is stored as typed (the binder escapes it).
        no_ssh = control_state(session, engagement, "no-ssh")
        assert no_ssh is not None and "<OPS-430>" in no_ssh.notes


def test_the_demo_soa_is_complete_and_approved_with_reasoned_exclusions(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    _seed_twice(path)
    catalogue = load_catalogue()
    with open_database(path) as db, db.session() as session:
        (engagement,) = list_engagements(session)
        state = soa_state(session, engagement, catalogue)
        assert state.complete and state.version == 1 and state.excluded == 3
        assert state.approval is not None and state.approval.role == "CEO"
        rows = soa_rows(session, engagement, catalogue)
        excluded = {
            r.criterion_id: r.decision.justification for r in rows if not r.decision.applies
        }
        assert sorted(excluded) == ["A.7.12", "A.7.6", "A.8.30"]
        assert all(len(text) > 40 for text in excluded.values())
        reasons = {r.decision.reason for r in rows if r.decision.applies}
        assert reasons == set(REASONS)  # every kind of reason, as a real SoA has
        assert engagement.soc2_categories == ["security", "availability", "confidentiality"]


def test_the_demo_period_is_the_six_months_up_to_this_one() -> None:
    assert demo_period(date(2026, 11, 28), 6) == (date(2026, 6, 1), date(2026, 11, 30))
    assert demo_period(date(2027, 2, 3), 6) == (date(2026, 9, 1), date(2027, 2, 28))


def test_a_fresh_demo_db_replaces_only_a_demo_database(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    _seed_twice(path)
    fresh_demo_db(path)
    assert not path.exists()
    fresh_demo_db(path)  # nothing there: fine

    stranger = tmp_path / "notes.sqlite3"
    stranger.write_bytes(b"not a database at all" * 10)
    from app.demo.session import DemoError

    with pytest.raises(DemoError, match="not an Audit Binder demo database"):
        fresh_demo_db(stranger)
    assert stranger.exists()


def test_the_demo_db_stays_in_the_user_data_folder_wherever_the_real_one_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_BINDER_DB", str(tmp_path / "mine.sqlite3"))
    monkeypatch.delenv("AUDIT_BINDER_DEMO_DB", raising=False)
    data = Path(os.environ["XDG_DATA_HOME"]) / "audit-binder"
    assert demo_db_path() == data / "audit-binder-demo.sqlite3"
    monkeypatch.setenv("AUDIT_BINDER_DEMO_DB", str(tmp_path / "elsewhere.sqlite3"))
    assert demo_db_path() == tmp_path / "elsewhere.sqlite3"


def test_the_plain_app_does_not_import_moto() -> None:
    code = (
        "import sys\n"
        "from app.cli import main\n"
        "assert main(['controls']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('moto', 'flask'))\n"
        "print('LOADED', loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout


def test_a_missing_aws_profile_is_explained_before_moto_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.demo.session import DemoError, start_demo

    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    with pytest.raises(DemoError, match="unset it for the demo"):
        start_demo(tmp_path / "demo.sqlite3")
    assert not (tmp_path / "demo.sqlite3").exists()
