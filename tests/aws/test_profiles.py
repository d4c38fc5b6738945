"""Profile listing and classification through botocore; the `profiles` command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import boto3
import pytest

from app.aws.login_errors import ConfigFileError
from app.aws.profiles import ProfileKind, get_profile, list_profiles, sign_in_commands
from app.cli import main

SECRETS = (
    "STATIC-SECRET-VALUE",
    "AKIASTATICKEY0000001",
    "TEMP-SESSION-TOKEN",
    "SUPERSECRET-ARG",
    "EXT-SECRET-123",
    "CONFIG-SECRET",
    "BOTH-SECRET",
)

CONFIG = """\
[default]
region = eu-west-1

[profile sso-new]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = SecurityAudit

[profile sso-pick]
sso_session = corp

[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile sso-broken]
sso_session = missing
sso_account_id = 222222222222
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile console]
login_session = arn:aws:iam::123456789012:user/alice

[profile proc]
credential_process = /opt/bin/vault-creds --token SUPERSECRET-ARG

[profile ci]
role_arn = arn:aws:iam::333333333333:role/ci
web_identity_token_file = /var/run/token

[profile audit-role]
role_arn = arn:aws:iam::444444444444:role/Audit
source_profile = sso-new
external_id = EXT-SECRET-123

[profile chained]
role_arn = arn:aws:iam::555555555555:role/Deeper
source_profile = audit-role

[profile from-env]
role_arn = arn:aws:iam::666666666666:role/Env
credential_source = Environment

[profile from-keys]
role_arn = arn:aws:iam::777777777777:role/Keys
source_profile = static

[profile self-keys]
role_arn = arn:aws:iam::777777777777:role/Self
source_profile = self-keys
aws_access_key_id = AKIASELF
aws_secret_access_key = CONFIG-SECRET

[profile loop-a]
role_arn = arn:aws:iam::888888888888:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::888888888888:role/B
source_profile = loop-a

[profile dangling]
role_arn = arn:aws:iam::999999999999:role/D
source_profile = nowhere

[profile proc-then-keys]
credential_process = {process}
aws_access_key_id = AKIACONFIGONLY
aws_secret_access_key = CONFIG-SECRET

[profile keys-then-proc]
credential_process = {process}
"""

CREDENTIALS = """\
[static]
aws_access_key_id = AKIASTATICKEY0000001
aws_secret_access_key = STATIC-SECRET-VALUE

[temp]
aws_access_key_id = ASIATEMP
aws_secret_access_key = TEMP-SECRET
aws_session_token = TEMP-SESSION-TOKEN

[keys-then-proc]
aws_access_key_id = AKIABOTHKEY
aws_secret_access_key = BOTH-SECRET
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    script = tmp_path / "creds.py"
    script.write_text(
        "import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAFROMPROCESS',"
        " 'SecretAccessKey': 'PROC-SECRET'}))\n"
    )
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text(CONFIG.format(process=f"{sys.executable} {script}"))
    credentials = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    credentials.write_text(CREDENTIALS)
    return config, credentials


def test_every_kind_is_classified(files: tuple[Path, Path]) -> None:
    kinds = {p.name: p.kind for p in list_profiles()}
    assert kinds == {
        "default": ProfileKind.NONE,
        "sso-new": ProfileKind.SSO,
        "sso-pick": ProfileKind.SSO,
        "sso-legacy": ProfileKind.SSO,
        "sso-broken": ProfileKind.SSO,
        "console": ProfileKind.LOGIN,
        "proc": ProfileKind.PROCESS,
        "ci": ProfileKind.WEB_IDENTITY,
        "audit-role": ProfileKind.ASSUME_ROLE,
        "chained": ProfileKind.ASSUME_ROLE,
        "from-env": ProfileKind.ASSUME_ROLE,
        "from-keys": ProfileKind.ASSUME_ROLE,
        "self-keys": ProfileKind.ASSUME_ROLE,
        "loop-a": ProfileKind.ASSUME_ROLE,
        "loop-b": ProfileKind.ASSUME_ROLE,
        "dangling": ProfileKind.ASSUME_ROLE,
        "static": ProfileKind.STATIC_KEYS,
        "temp": ProfileKind.TEMPORARY_KEYS,
        "proc-then-keys": ProfileKind.PROCESS,
        "keys-then-proc": ProfileKind.STATIC_KEYS,
    }
    assert list_profiles()[0].name == "default"


@pytest.mark.parametrize(
    ("profile", "method"),
    [
        ("proc-then-keys", "custom-process"),
        ("keys-then-proc", "shared-credentials-file"),
        ("static", "shared-credentials-file"),
    ],
)
def test_precedence_matches_botocore_itself(
    files: tuple[Path, Path], profile: str, method: str
) -> None:
    credentials = boto3.Session(profile_name=profile).get_credentials()
    assert credentials is not None and credentials.method == method
    expected = ProfileKind.PROCESS if method == "custom-process" else ProfileKind.STATIC_KEYS
    assert get_profile(profile).kind is expected


def test_sso_details_and_problems(files: tuple[Path, Path]) -> None:
    new = get_profile("sso-new")
    assert (new.sso_session, new.sso_start_url, new.sso_region) == (
        "corp",
        "https://corp.awsapps.com/start",
        "eu-west-1",
    )
    assert (new.sso_account_id, new.sso_role_name, new.problem, new.flags) == (
        "111111111111",
        "SecurityAudit",
        None,
        (),
    )
    assert get_profile("sso-pick").flags == (
        "no account and role chosen yet: sign in, then pick them",
    )
    assert get_profile("sso-legacy").sso_session is None
    assert "sso-session missing" in (get_profile("sso-broken").problem or "")
    assert sign_in_commands(new) == (
        "aws sso login --profile sso-new",
        "audit-binder login --profile sso-new",
    )
    assert sign_in_commands(get_profile("console")) == ("aws login --profile console",)


def test_assume_role_chains_are_followed_and_loops_found(files: tuple[Path, Path]) -> None:
    chained = get_profile("chained")
    assert chained.chain == ("chained", "audit-role", "sso-new")
    assert chained.root_kind is ProfileKind.SSO and chained.problem is None
    assert sign_in_commands(chained)[0] == "aws sso login --profile sso-new"
    assert get_profile("audit-role").has_external_id
    assert get_profile("from-env").chain == ("from-env",)
    assert get_profile("from-env").problem is None
    from_keys = get_profile("from-keys")
    assert from_keys.root_kind is ProfileKind.STATIC_KEYS and from_keys.flags
    self_keys = get_profile("self-keys")
    assert (self_keys.chain, self_keys.root_kind, self_keys.problem) == (
        ("self-keys",),
        ProfileKind.STATIC_KEYS,
        None,
    )
    assert "loop-a -> loop-b -> loop-a" in (get_profile("loop-a").problem or "")
    assert 'source_profile "nowhere"' in (get_profile("dangling").problem or "")


def test_static_keys_are_flagged_temporary_ones_not(files: tuple[Path, Path]) -> None:
    assert "no-iam-access-keys" in get_profile("static").flags[0]
    assert get_profile("temp").flags == ()
    assert get_profile("static").sources == ("credentials",)
    assert get_profile("keys-then-proc").sources == ("config", "credentials")


def test_no_secret_is_exposed(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    profiles = list_profiles()
    text = repr(profiles) + json.dumps([p.to_json() for p in profiles])
    assert main(["profiles", "--json"]) == 0
    assert main(["profiles"]) == 0
    text += capsys.readouterr().out
    for secret in SECRETS:
        assert secret not in text
    assert get_profile("proc").process_program == "vault-creds"
    assert "static-keys" in text and "vault-creds" in text


def test_json_output_lists_every_profile(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profiles", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["config_file"] == str(files[0])
    by_name = {p["name"]: p for p in document["profiles"]}
    assert by_name["chained"]["chain"] == ["chained", "audit-role", "sso-new"]
    assert by_name["chained"]["root_kind"] == "sso"
    assert by_name["console"]["login_session"] == "arn:aws:iam::123456789012:user/alice"


def test_the_environment_chooses_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "elsewhere.ini"
    other.write_text("[profile only-here]\nlogin_session = arn:aws:iam::1:user/x\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(other))
    assert [p.name for p in list_profiles()] == ["only-here"]


def test_no_files_no_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert list_profiles() == []
    assert main(["profiles"]) == 0
    assert "No profiles" in capsys.readouterr().out


@pytest.mark.parametrize("which", ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"])
def test_malformed_file_is_named_with_its_problem(
    files: tuple[Path, Path], which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(os.environ[which])
    path.write_text("region = eu-west-1\n[default\n")
    with pytest.raises(ConfigFileError) as caught:
        list_profiles()
    assert caught.value.path == str(path)
    assert "no section headers" in caught.value.problem
    assert main(["profiles"]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "no section headers" in err
