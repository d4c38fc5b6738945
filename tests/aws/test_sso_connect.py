"""The Qt-free steps of a first connection: which sso-session, which profile name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.aws.sso_connect import prepare_connection, suggest_profile_name
from app.aws.sso_start import StartUrlError, UnknownSsoRegion

EXISTING = """\
[sso-session acme]
sso_start_url = https://acme.awsapps.com/start/
sso_region = eu-west-1
sso_registration_scopes = sso:account:access, sso:other

[sso-session d-1234567890]
sso_start_url = https://someone-else.awsapps.com/start
sso_region = us-east-1
"""


@pytest.fixture
def config() -> Path:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.write_text(EXISTING)
    return path


def test_an_existing_session_for_the_same_url_and_region_is_reused(config: Path) -> None:
    connection = prepare_connection("https://acme.awsapps.com/start#/", "eu-west-1")
    assert not connection.new_session
    target = connection.target
    # Its own spelling of the URL and its scopes, so the file stays consistent.
    assert (target.session_name, target.start_url) == ("acme", "https://acme.awsapps.com/start/")
    assert target.scopes == ("sso:account:access", "sso:other")


def test_a_new_session_is_named_after_the_portal_and_never_reuses_a_taken_name(
    config: Path,
) -> None:
    other_region = prepare_connection("https://acme.awsapps.com/start", "us-east-2")
    assert (other_region.target.session_name, other_region.new_session) == ("acme-2", True)
    assert other_region.target.scopes == ("sso:account:access",)
    fresh = prepare_connection("https://d-1234567890.awsapps.com/start", "us-east-1")
    assert fresh.target.session_name == "d-1234567890-2"
    issuer = prepare_connection(
        "https://identitycenter.amazonaws.com/ssoins-1234567890abcdef", "us-east-1"
    )
    assert issuer.target.session_name == "ssoins-1234567890abcdef"


def test_nothing_is_read_from_the_network_to_refuse_a_bad_url_or_region(config: Path) -> None:
    with pytest.raises(StartUrlError):
        prepare_connection("https://acme.example.com/start", "eu-west-1")
    with pytest.raises(UnknownSsoRegion):
        prepare_connection("https://acme.awsapps.com/start", "eu-wset-1")
    assert config.read_text() == EXISTING


def test_profile_names_follow_aws_configure_sso_and_stay_free() -> None:
    assert suggest_profile_name("111111111111", "SecurityAudit", frozenset()) == (
        "SecurityAudit-111111111111"
    )
    taken = frozenset({"Admin-111111111111", "Admin-111111111111-2"})
    assert suggest_profile_name("111111111111", "Admin", taken) == "Admin-111111111111-3"
    # Permission set names allow characters a profile section would not take well.
    assert suggest_profile_name("111111111111", "Read Only[x]", frozenset()) == (
        "Read-Only-x-111111111111"
    )
