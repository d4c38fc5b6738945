"""`audit-binder schedule install|status|remove` on this machine (Linux: systemd units).

The tests' PATH holds no systemctl, so nothing reaches a real user manager: install
writes the units into the temporary HOME and says they are not enabled (the real
install is in tests/services/test_scheduler_install.py, where a user manager runs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.services.schedulers.job import job_id
from app.services.schedulers.systemd import unit_names
from app.store.accounts import add_account
from app.store.database import open_database
from app.store.engagements import create_engagement, find_engagement
from app.store.schedule import Every, ScanSchedule, engagement_schedule
from tests.cli.helpers import one_clear_line, run_cli

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="renders systemd units")
NAME = "Zoë & Co 2026"


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # no systemctl, no loginctl
    return tmp_path / "my audits" / "audit-binder.sqlite3"


def _units(db_path: Path, name: str = NAME) -> list[Path]:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user"
    return [folder / unit for unit in unit_names(job_id(name, str(db_path.resolve())))]


def test_print_shows_the_units_and_installs_nothing(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_cli(
        capsys, "schedule", "install", "--engagement", NAME, "--every", "weekly",
        "--at", "06:30", "--regions", "eu-west-1", "--db", str(db_path), "--print",
    )  # fmt: skip

    assert ran.code == 0, ran.err
    service, timer = _units(db_path)
    assert f"==> {service} <==" in ran.out and f"==> {timer} <==" in ran.out
    assert '"scan" "--unattended" "--engagement" "Zoë & Co 2026"' in ran.out
    assert f'"--db" "{db_path}"' in ran.out
    assert "OnCalendar=Mon *-*-* 06:30:00" in ran.out and "Persistent=true" in ran.out
    assert not service.exists() and not db_path.exists()


def test_install_status_and_remove(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ran = run_cli(capsys, "schedule", "install", "--engagement", NAME, "--db", str(db_path))

    assert ran.code == 0, ran.err
    assert ran.out.startswith(f"Scheduled scan of engagement '{NAME}' every day at 09:00")
    assert "Not enabled: systemctl is not installed." in ran.out
    assert "loginctl enable-linger" in ran.out
    assert all(unit.is_file() for unit in _units(db_path))
    with open_database(db_path) as db, db.session() as session:
        engagement = find_engagement(session, NAME)  # created, as `scan` does
        assert engagement is not None
        assert engagement_schedule(engagement) == ScanSchedule(Every.DAILY)

    status = run_cli(capsys, "schedule", "status", "--engagement", NAME, "--db", str(db_path))
    assert status.code == 0
    assert f"Scheduled scan of '{NAME}': installed (systemd user timer" in status.out
    assert "local time (computed)" in status.out
    assert "Recorded on the engagement: every day at 09:00" in status.out
    assert "Last scheduled scan: none yet" in status.out

    removed = run_cli(capsys, "schedule", "remove", "--engagement", NAME, "--db", str(db_path))
    assert removed.code == 0
    assert "Removed the schedule recorded on the engagement." in removed.out
    assert not any(unit.exists() for unit in _units(db_path))
    again = run_cli(capsys, "schedule", "remove", "--engagement", NAME, "--db", str(db_path))
    assert again.code == 0 and "nothing to remove" in again.out


def test_status_reports_the_last_scheduled_scan_and_its_failure(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_database(db_path) as db, db.session() as session:
        engagement = create_engagement(session, NAME, actor="qa")
        add_account(session, engagement, "123456789012", actor="qa")
    run_cli(capsys, "schedule", "install", "--engagement", NAME, "--db", str(db_path))
    # What the job runs, here with no credentials at all:
    failed = run_cli(capsys, "scan", "--unattended", "--engagement", NAME, "--db", str(db_path))
    assert failed.code == 1

    status = run_cli(capsys, "schedule", "status", "--engagement", NAME, "--db", str(db_path))
    assert "Last scheduled scan: #1 of account 123456789012" in status.out
    assert "failed (No AWS credentials were found" in status.out


def test_a_database_url_with_a_password_is_refused(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://audit:s3cret@db.internal/audit"
    ran = run_cli(capsys, "schedule", "install", "--engagement", NAME, "--db", url, "--print")

    assert ran.code == 2
    line = one_clear_line(ran.err)
    assert "contains a password" in line and ".pgpass" in line
    assert "s3cret" not in ran.out + ran.err


def test_this_shells_keys_never_reach_the_job(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE99")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-not-real")
    monkeypatch.setenv("HTTPS_PROXY", "http://me:pw@proxy.internal:3128")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    ran = run_cli(capsys, "schedule", "install", "--engagement", NAME, "--db", str(db_path))

    assert ran.code == 0, ran.err
    assert "are not written into the job" in ran.out
    written = "".join(unit.read_text() for unit in _units(db_path))
    assert "AKIAEXAMPLE" not in written and "wJalr" not in written and "pw@" not in written
    assert 'Environment="AWS_DEFAULT_REGION=eu-west-1"' in written


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--at", "25:00"], "--at:"),
        (["--regions", " , "], "--regions is empty"),
        (["--profile", "missing"], 'no AWS profile named "missing"'),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(
    extra: list[str], message: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_cli(capsys, "schedule", "install", "--engagement", NAME, "--db", str(db_path), *extra)
    assert ran.code in (1, 2)
    assert message in one_clear_line(ran.err)
    assert not db_path.exists() and not any(unit.exists() for unit in _units(db_path))


@pytest.mark.parametrize(
    ("config", "code", "said"),
    [
        (
            "role_arn = arn:aws:iam::444455556666:role/Audit\ncredential_source = Environment\n"
            "mfa_serial = arn:aws:iam::444455556666:mfa/me\n",
            1,
            "MFA code",  # refused: nobody can type the code
        ),
        (
            "sso_account_id = 111122223333\nsso_role_name = Audit\n"
            "sso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
            0,
            "IAM Identity Center session lasts hours",  # installed, with the warning
        ),
    ],
)
def test_profiles_that_cannot_or_may_not_last_unattended(
    config: str, code: int, said: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(f"[profile p]\n{config}")
    ran = run_cli(
        capsys, "schedule", "install", "--engagement", NAME, "--db", str(db_path),
        "--profile", "p",
    )  # fmt: skip
    assert ran.code == code
    assert said in (ran.out + ran.err)
