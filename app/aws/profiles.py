"""The user's AWS profiles, read through botocore, classified the way botocore resolves them.

`list_profiles()` reads `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` (or the
`~/.aws` defaults) exactly as botocore does, and returns `Profile` values that hold
no secret: no keys, no session tokens, no external ids, no `credential_process`
arguments. The kind follows botocore's credential chain for a named profile:
assume-role, web identity, SSO, static keys from the credentials file, console login
(`login_session`), `credential_process`, static keys from the config file.
"""

from __future__ import annotations

import enum
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.configloader
import botocore.exceptions
import botocore.session

from app.aws.login_errors import ConfigFileError, ProfileNotFoundError

_STATIC_KEYS = ("aws_access_key_id", "aws_secret_access_key")
_SSO_PROFILE_KEYS = ("sso_account_id", "sso_role_name", "sso_session", "sso_start_url")

STATIC_KEYS_FLAG = (
    "long-term access keys: the article's practice (no-iam-access-keys) is to remove "
    "IAM user keys and sign in with IAM Identity Center or `aws login` instead"
)


class ProfileKind(enum.StrEnum):
    ASSUME_ROLE = "assume-role"
    WEB_IDENTITY = "web-identity"
    SSO = "sso"
    STATIC_KEYS = "static-keys"
    TEMPORARY_KEYS = "temporary-keys"
    LOGIN = "login"
    PROCESS = "credential-process"
    NONE = "no-credentials"  # settings only (region...): the environment or IMDS decide


@dataclass(frozen=True)
class Profile:
    """One profile, without any secret. `problem` is set when botocore would refuse it."""

    name: str
    kind: ProfileKind
    sources: tuple[str, ...]  # "config" and/or "credentials"
    region: str | None = None
    # assume-role: the chain of profiles followed to the credentials, this one first.
    role_arn: str | None = None
    source_profile: str | None = None
    credential_source: str | None = None
    chain: tuple[str, ...] = ()
    root_kind: ProfileKind | None = None
    has_external_id: bool = False
    mfa_serial: str | None = None
    web_identity_token_file: str | None = None
    sso_session: str | None = None
    sso_start_url: str | None = None
    sso_region: str | None = None
    sso_account_id: str | None = None
    sso_role_name: str | None = None
    login_session: str | None = None
    # Only the program of credential_process: its arguments may carry secrets.
    process_program: str | None = None
    flags: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def root(self) -> str:
        """The profile whose login the whole chain rests on (this one when no chain)."""
        return self.chain[-1] if self.chain else self.name

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "kind": self.kind.value}
        for key, value in self.__dict__.items():
            if key in ("name", "kind") or value in (None, (), False):
                continue
            data[key] = value.value if isinstance(value, ProfileKind) else value
        for key in ("sources", "chain", "flags"):
            if key in data:
                data[key] = list(data[key])
        return data


@dataclass(frozen=True)
class AwsConfig:
    """botocore's merged view of both files, plus which file each profile came from."""

    profiles: Mapping[str, Mapping[str, Any]]
    sso_sessions: Mapping[str, Mapping[str, Any]]
    config_file: str
    credentials_file: str
    in_credentials_file: frozenset[str] = field(default_factory=frozenset)
    in_config_file: frozenset[str] = field(default_factory=frozenset)


def config_paths() -> tuple[str, str]:
    """(config file, credentials file), honouring the environment like botocore."""
    session = botocore.session.Session()
    config = os.path.expanduser(str(session.get_config_variable("config_file")))
    creds = os.path.expanduser(str(session.get_config_variable("credentials_file")))
    return config, creds


def _parse(path: str) -> Mapping[str, Any]:
    try:
        parsed: Mapping[str, Any] = botocore.configloader.raw_config_parse(path)
    except botocore.exceptions.ConfigNotFound:
        return {}
    except botocore.exceptions.ConfigParseError as exc:
        raise ConfigFileError(path, _problem(exc)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(path, str(exc)) from exc
    return parsed


def _problem(exc: botocore.exceptions.ConfigParseError) -> str:
    inner = exc.kwargs.get("error")
    text = str(inner) if inner is not None else str(exc)
    # configparser's text repeats the path; keep the part that says what is wrong.
    return " ".join(text.replace(f"'{exc.kwargs.get('path')}'", "").split())


def load_config() -> AwsConfig:
    """Read both files through botocore; a malformed file raises `ConfigFileError`."""
    config_file, credentials_file = config_paths()
    config_sections = _parse(config_file)
    creds_sections = _parse(credentials_file)
    try:
        full = botocore.session.Session().full_config
    except botocore.exceptions.ConfigParseError as exc:
        raise ConfigFileError(str(exc.kwargs.get("path")), _problem(exc)) from exc
    in_config = frozenset(
        name.removeprefix("profile ").strip()
        for name in config_sections
        if name == "default" or name.startswith("profile ")
    )
    return AwsConfig(
        profiles=full.get("profiles", {}),
        sso_sessions=full.get("sso_sessions", {}),
        config_file=config_file,
        credentials_file=credentials_file,
        in_credentials_file=frozenset(creds_sections),
        in_config_file=in_config,
    )


def list_profiles(config: AwsConfig | None = None) -> list[Profile]:
    """Every profile in both files, sorted by name, `default` first."""
    config = config or load_config()
    names = sorted(config.profiles, key=lambda n: (n != "default", n))
    return [classify(name, config) for name in names]


def get_profile(name: str, config: AwsConfig | None = None) -> Profile:
    config = config or load_config()
    if name not in config.profiles:
        raise ProfileNotFoundError(name)
    return classify(name, config)


def classify(name: str, config: AwsConfig) -> Profile:
    values = config.profiles.get(name, {})
    sources = tuple(
        source
        for source, names in (
            ("config", config.in_config_file),
            ("credentials", config.in_credentials_file),
        )
        if name in names
    )
    kind = _own_kind(values, name in config.in_credentials_file)
    common: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "sources": sources,
        "region": values.get("region"),
    }
    if kind is ProfileKind.ASSUME_ROLE:
        return _assume_role(name, values, config, common)
    if kind is ProfileKind.WEB_IDENTITY:
        common.update(
            role_arn=values.get("role_arn"),
            web_identity_token_file=values.get("web_identity_token_file"),
        )
        if "role_arn" not in values:
            common["problem"] = "web_identity_token_file is set but role_arn is missing"
        return Profile(**common)
    if kind is ProfileKind.SSO:
        return _sso(values, config, common)
    if kind in (ProfileKind.STATIC_KEYS, ProfileKind.TEMPORARY_KEYS):
        missing = [k for k in _STATIC_KEYS if k not in values]
        problem = f"missing {', '.join(missing)}" if missing else None
        flags = (STATIC_KEYS_FLAG,) if kind is ProfileKind.STATIC_KEYS else ()
        return Profile(**common, flags=flags, problem=problem)
    if kind is ProfileKind.LOGIN:
        return Profile(**common, login_session=values.get("login_session"))
    if kind is ProfileKind.PROCESS:
        return Profile(**common, process_program=_program(str(values["credential_process"])))
    return Profile(**common)


def _own_kind(values: Mapping[str, Any], keys_in_credentials_file: bool) -> ProfileKind:
    """The provider botocore's chain would pick for this profile, in its order."""
    has_keys = any(k in values for k in _STATIC_KEYS)
    keys_kind = (
        ProfileKind.TEMPORARY_KEYS if "aws_session_token" in values else ProfileKind.STATIC_KEYS
    )
    if "role_arn" in values and "web_identity_token_file" not in values:
        return ProfileKind.ASSUME_ROLE
    if "web_identity_token_file" in values:
        return ProfileKind.WEB_IDENTITY
    if any(k in values for k in _SSO_PROFILE_KEYS):
        return ProfileKind.SSO
    # Keys from the credentials file come before login and process; those from the
    # config file come last (botocore's SharedCredentialProvider vs ConfigProvider).
    if has_keys and keys_in_credentials_file:
        return keys_kind
    if "login_session" in values:
        return ProfileKind.LOGIN
    if "credential_process" in values:
        return ProfileKind.PROCESS
    if has_keys:
        return keys_kind
    return ProfileKind.NONE


def _assume_role(
    name: str, values: Mapping[str, Any], config: AwsConfig, common: dict[str, Any]
) -> Profile:
    chain, root_kind, problem = follow_chain(name, config)
    common.update(
        role_arn=values.get("role_arn"),
        source_profile=values.get("source_profile"),
        credential_source=values.get("credential_source"),
        chain=chain,
        root_kind=root_kind,
        has_external_id="external_id" in values,
        mfa_serial=values.get("mfa_serial"),
        problem=problem,
    )
    root_values = config.profiles.get(chain[-1], {}) if chain else {}
    if root_kind is ProfileKind.STATIC_KEYS and "aws_session_token" not in root_values:
        common["flags"] = (f'the chain starts from {STATIC_KEYS_FLAG} (profile "{chain[-1]}")',)
    return Profile(**common)


def follow_chain(
    name: str, config: AwsConfig
) -> tuple[tuple[str, ...], ProfileKind | None, str | None]:
    """Follow `source_profile` from `name`: (chain, kind of its root, problem or None).

    Mirrors botocore's AssumeRoleProvider: a profile may name itself as source only
    when it holds static keys; any other revisit is a loop.
    """
    chain = [name]
    current = name
    while True:
        values = config.profiles.get(current, {})
        if "credential_source" in values and "source_profile" in values:
            return (
                tuple(chain),
                None,
                (f'profile "{current}" sets both source_profile and credential_source'),
            )
        if "credential_source" in values:
            return tuple(chain), None, None  # environment, container or EC2 metadata
        source = values.get("source_profile")
        if source is None:
            return (
                tuple(chain),
                None,
                (
                    f'profile "{current}" has role_arn but neither source_profile '
                    "nor credential_source"
                ),
            )
        if source not in config.profiles:
            return (
                tuple(chain),
                None,
                (f'source_profile "{source}" (named by "{current}") does not exist'),
            )
        source_values = config.profiles[source]
        if source == current:
            if any(k in source_values for k in _STATIC_KEYS):
                return tuple(chain), _keys_kind(source_values), None
            return tuple(chain), None, f'profile "{current}" names itself as source_profile'
        if source in chain:
            loop = " -> ".join([*chain, source])
            return tuple(chain), None, f"source_profile loop: {loop}"
        chain.append(source)
        source_kind = _own_kind(source_values, source in config.in_credentials_file)
        has_keys = any(k in source_values for k in _STATIC_KEYS)
        # botocore only follows a source's role_arn when the source holds no keys.
        if source_kind is ProfileKind.ASSUME_ROLE and not has_keys:
            current = source
            continue
        if has_keys:
            return tuple(chain), _keys_kind(source_values), None
        if source_kind is ProfileKind.NONE:
            return tuple(chain), None, f'source_profile "{source}" holds no credentials'
        return tuple(chain), source_kind, None


def _keys_kind(values: Mapping[str, Any]) -> ProfileKind:
    if "aws_session_token" in values:
        return ProfileKind.TEMPORARY_KEYS
    return ProfileKind.STATIC_KEYS


def _sso(values: Mapping[str, Any], config: AwsConfig, common: dict[str, Any]) -> Profile:
    session_name = values.get("sso_session")
    settings: Mapping[str, Any] = values
    problem = None
    if session_name is not None:
        session = config.sso_sessions.get(session_name)
        if session is None:
            problem = f'sso_session "{session_name}" has no [sso-session {session_name}] section'
            session = {}
        settings = {**values, **session}
    common.update(
        sso_session=session_name,
        sso_start_url=settings.get("sso_start_url"),
        sso_region=settings.get("sso_region"),
        sso_account_id=values.get("sso_account_id"),
        sso_role_name=values.get("sso_role_name"),
    )
    if problem is None:
        missing = [k for k in ("sso_start_url", "sso_region") if k not in settings]
        if missing:
            problem = f"missing {', '.join(missing)}"
    flags: tuple[str, ...] = ()
    if not (values.get("sso_account_id") and values.get("sso_role_name")):
        flags = ("no account and role chosen yet: sign in, then pick them",)
    return Profile(**common, flags=flags, problem=problem)


def _program(command: str) -> str:
    try:
        parts = shlex.split(command)
    except ValueError:
        parts = command.split()
    return os.path.basename(parts[0]) if parts else ""


def sign_in_commands(profile: Profile) -> tuple[str, ...]:
    """The commands that renew the login behind `profile` (or behind its chain's root)."""
    kind = profile.root_kind if profile.kind is ProfileKind.ASSUME_ROLE else profile.kind
    root = profile.root
    if kind is ProfileKind.SSO:
        return (f"aws sso login --profile {root}", f"audit-binder login --profile {root}")
    if kind is ProfileKind.LOGIN:
        return (f"aws login --profile {root}",)
    return ()
