"""Saving a picked account and role as a profile: backed up, appended, never overwritten."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import botocore.session
import pytest

from app.aws.login_errors import ProfileConfigError, ProfileExistsError
from app.aws.profiles import ProfileKind, get_profile
from app.aws.sso_cache import SsoTarget
from app.aws.sso_config import save_sso_profile

ORIGINAL = """\
# my settings: keep this comment
[default]
region = eu-west-1

[profile work]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
s3 =
  max_concurrent_requests = 20

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1"""  # no final newline on purpose

CORP = SsoTarget("https://corp.awsapps.com/start", "eu-west-1", "corp", ("sso:account:access",))
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.fixture
def config() -> Path:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.write_text(ORIGINAL)
    return path


def test_appends_a_profile_after_a_backup(config: Path) -> None:
    saved = save_sso_profile(
        "audit", CORP, "222222222222", "SecurityAudit", region="us-east-1", now=NOW
    )

    assert saved.backup_file == config.with_name("config.audit-binder-backup-20261128T100000Z")
    assert saved.backup_file.read_text() == ORIGINAL
    text = config.read_text()
    # Every byte kept (comment, subsection); the CLI's one newline where the file had none.
    assert text == ORIGINAL + "\n[profile audit]\nsso_session = corp\n" + (
        "sso_account_id = 222222222222\nsso_role_name = SecurityAudit\nregion = us-east-1\n"
    )
    assert text.count("[sso-session corp]") == 1
    profile = get_profile("audit")
    assert (
        profile.kind,
        profile.sso_session,
        profile.sso_account_id,
        profile.sso_role_name,
        profile.region,
    ) == (ProfileKind.SSO, "corp", "222222222222", "SecurityAudit", "us-east-1")
    assert botocore.session.Session(profile="work").get_scoped_config()["s3"] == {
        "max_concurrent_requests": "20"
    }


def test_adds_the_sso_session_when_new(config: Path) -> None:
    other = SsoTarget(
        "https://other.awsapps.com/start", "us-east-2", "other", ("sso:account:access",)
    )
    save_sso_profile("other-audit", other, "333333333333", "ReadOnly", now=NOW)
    profile = get_profile("other-audit")
    assert (profile.sso_start_url, profile.sso_region) == (other.start_url, "us-east-2")
    assert "sso_registration_scopes = sso:account:access" in config.read_text()


def test_legacy_target_writes_start_url_in_the_profile(config: Path) -> None:
    legacy = SsoTarget("https://legacy.awsapps.com/start", "us-east-1")
    save_sso_profile("old-style", legacy, "333333333333", "ReadOnly", now=NOW)
    profile = get_profile("old-style")
    assert (profile.sso_session, profile.sso_start_url) == (None, legacy.start_url)


def test_new_config_file_is_created_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fresh" / "config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    saved = save_sso_profile("default", CORP, "222222222222", "SecurityAudit")
    assert saved.backup_file is None
    # As `aws configure sso` writes a new file: the profile, then the session it names.
    assert path.read_text() == (
        "[default]\n"
        "sso_session = corp\n"
        "sso_account_id = 222222222222\n"
        "sso_role_name = SecurityAudit\n"
        "[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    assert path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("name", ["work", "default"])
def test_refuses_an_existing_profile_and_touches_nothing(config: Path, name: str) -> None:
    with pytest.raises(ProfileExistsError, match=name):
        save_sso_profile(name, CORP, "222222222222", "SecurityAudit", now=NOW)
    assert config.read_text() == ORIGINAL
    assert list(config.parent.glob("config.audit-binder-backup-*")) == []


def test_refuses_a_profile_from_the_credentials_file(config: Path) -> None:
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
        "[keys]\naws_access_key_id = AKIAX\naws_secret_access_key = y\n"
    )
    with pytest.raises(ProfileExistsError):
        save_sso_profile("keys", CORP, "222222222222", "SecurityAudit")


@pytest.mark.parametrize(
    ("name", "account", "role"),
    [
        ("bad name", "222222222222", "R"),
        ("x]\n[profile evil", "222222222222", "R"),
        ("ok", "12345", "R"),
        ("ok", "222222222222", "R]\n[default"),
    ],
)
def test_refuses_names_that_would_break_the_file(
    config: Path, name: str, account: str, role: str
) -> None:
    with pytest.raises(ProfileConfigError):
        save_sso_profile(name, CORP, account, role)
    assert config.read_text() == ORIGINAL


def test_refuses_a_session_name_pointing_elsewhere(config: Path) -> None:
    elsewhere = SsoTarget("https://evil.awsapps.com/start", "eu-west-1", "corp")
    with pytest.raises(ProfileConfigError, match="another start URL"):
        save_sso_profile("x", elsewhere, "222222222222", "R")
    assert config.read_text() == ORIGINAL


def test_backups_never_overwrite_each_other(config: Path) -> None:
    first = save_sso_profile("a1", CORP, "222222222222", "R", now=NOW)
    second = save_sso_profile("a2", CORP, "222222222222", "R", now=NOW)
    assert first.backup_file != second.backup_file
    assert first.backup_file is not None and first.backup_file.read_text() == ORIGINAL
