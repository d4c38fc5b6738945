"""boto3 sessions for a profile or an engagement, with botocore's errors made actionable.

Every kind of profile resolves through botocore's own credential chain (SSO with its
token refresh, `aws login` through its `login` provider, assume-role chains...). We
only force the resolution early, so a missing or expired login surfaces as a typed
`SignInRequired` naming the exact command to run, not as a failure mid-scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.credentials
import botocore.exceptions
import botocore.session

from app.aws.login_errors import (
    AccessDeniedError,
    ConfigFileError,
    MissingDependencyError,
    NoCredentialsError,
    OfflineError,
    ProfileConfigError,
    ProfileNotFoundError,
    SignInError,
    SignInRequired,
)
from app.aws.network import TRANSPORT_ERRORS
from app.aws.profiles import Profile, ProfileKind, get_profile, sign_in_commands
from app.secrets import SecretStore

# Codes STS and other services answer when the credentials themselves are stale.
EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)
REJECTED_CODES = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"}
)
_LOGIN_ERRORS = (botocore.exceptions.LoginError,)
_SSO_ERRORS = (botocore.exceptions.SSOError,)


def _profile_or_none(name: str | None) -> Profile | None:
    if not name:
        return None
    try:
        return get_profile(name)
    except SignInError:
        return None


def _sign_in_required(profile_name: str | None, reason: str) -> SignInRequired:
    profile = _profile_or_none(profile_name)
    commands = sign_in_commands(profile) if profile else ()
    if profile and profile.kind in (ProfileKind.STATIC_KEYS, ProfileKind.TEMPORARY_KEYS):
        reason += " (replace the keys in the credentials file)"
    return SignInRequired(profile_name, reason, commands)


def translate_error(exc: BaseException, profile: str | None) -> SignInError | None:
    """botocore's exception as a typed sign-in error, or None when it is not about sign-in."""
    if isinstance(exc, SignInError):
        return exc
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return ProfileNotFoundError(str(exc.kwargs.get("profile", profile)))
    if isinstance(exc, botocore.exceptions.ConfigParseError):
        inner = exc.kwargs.get("error")
        return ConfigFileError(str(exc.kwargs.get("path")), str(inner or exc))
    if isinstance(exc, botocore.exceptions.LoginInsufficientPermissions):
        return AccessDeniedError(
            f"Profile {profile!r}: the `aws login` session may not refresh itself "
            "(missing permission signin:CreateOAuth2Token)."
        )
    if isinstance(exc, _LOGIN_ERRORS):
        return SignInRequired(
            profile,
            "the `aws login` session is missing or expired",
            (f"aws login --profile {profile}",) if profile else ("aws login",),
        )
    if isinstance(exc, _SSO_ERRORS) or (
        isinstance(exc, botocore.exceptions.TokenRetrievalError)
        and exc.kwargs.get("provider") == "sso"
    ):
        return _sign_in_required(profile, "the IAM Identity Center session is missing or expired")
    if isinstance(exc, botocore.exceptions.MissingDependencyException):
        return MissingDependencyError(
            "This profile needs botocore's CRT extra: pip install 'botocore[crt]'."
        )
    if isinstance(
        exc, botocore.exceptions.InvalidConfigError | botocore.exceptions.PartialCredentialsError
    ):
        return ProfileConfigError(profile or "default", str(exc))
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return NoCredentialsError(profile)
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return SignInError(f"Invalid sign-in settings: {exc}")
    if isinstance(exc, TRANSPORT_ERRORS):
        return OfflineError.from_exception(exc)
    if isinstance(exc, botocore.exceptions.CredentialRetrievalError):
        return SignInError(f"Credentials for profile {profile!r} could not be obtained: {exc}")
    if isinstance(exc, botocore.exceptions.RefreshWithMFAUnsupportedError):
        return _sign_in_required(profile, "the MFA-protected role session has expired")
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        if code in EXPIRED_CODES:
            return _sign_in_required(profile, "the credentials have expired")
        if code in REJECTED_CODES:
            return _sign_in_required(profile, f"AWS rejected the credentials ({code})")
        if code in ("AccessDenied", "AccessDeniedException"):
            return AccessDeniedError(f"Access denied: {error.get('Message', code)}")
    return None


def resolve_credentials(session: boto3.Session, profile: str | None = None) -> None:
    """Make botocore find (and if need be refresh) the credentials now; typed errors."""
    try:
        credentials = session.get_credentials()
        if credentials is None:
            raise botocore.exceptions.NoCredentialsError()
        credentials.get_frozen_credentials()
    except Exception as exc:
        translated = translate_error(exc, profile)
        if translated is None:
            raise
        raise translated from exc


def session_for_profile(
    profile: str | None, *, region: str | None = None, resolve: bool = True
) -> boto3.Session:
    """A boto3 session for a profile (None: the default chain, AWS_PROFILE included)."""
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
    except Exception as exc:
        translated = translate_error(exc, profile)
        if translated is None:
            raise
        raise translated from exc
    if resolve:
        resolve_credentials(session, profile)
    return session


def assume_role_session(
    source: boto3.Session,
    role_arn: str,
    *,
    external_id: str | None = None,
    session_name: str = "audit-binder",
    region: str | None = None,
) -> boto3.Session:
    """A session on `role_arn` whose credentials botocore renews before they expire.

    Scans can outlast one AssumeRole hour; botocore's own fetcher + deferred refresh
    handle that, the source's credentials (themselves refreshable) included.
    """
    source_credentials = source.get_credentials()
    if source_credentials is None:
        raise NoCredentialsError(source.profile_name)
    extra: dict[str, Any] = {"RoleSessionName": session_name}
    if external_id:
        extra["ExternalId"] = external_id
    sts_region = region or source.region_name or "us-east-1"

    def client_creator(service: str, **kwargs: Any) -> Any:
        return source.client(service, region_name=sts_region, **kwargs)  # type: ignore[call-overload]

    fetcher = botocore.credentials.AssumeRoleCredentialFetcher(
        client_creator=client_creator,
        source_credentials=source_credentials,
        role_arn=role_arn,
        extra_args=extra,
    )
    refreshable = botocore.credentials.DeferredRefreshableCredentials(
        method="assume-role", refresh_using=fetcher.fetch_credentials
    )
    return session_with_credentials(refreshable, region or source.region_name)


def session_with_credentials(
    credentials: botocore.credentials.Credentials, region: str | None
) -> boto3.Session:
    """A boto3 session on given (refreshable) credentials, checked right away."""
    core = botocore.session.Session()
    if region:
        core.set_config_variable("region", region)
    resolver = core.get_component("credential_provider")
    resolver.insert_before("env", _FixedProvider(credentials))
    session = boto3.session.Session(botocore_session=core)
    resolve_credentials(session, None)
    return session


class _FixedProvider(botocore.credentials.CredentialProvider):
    METHOD = "audit-binder-assume-role"
    CANONICAL_NAME = "audit-binder-assume-role"

    def __init__(self, credentials: botocore.credentials.Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> botocore.credentials.Credentials:
        return self._credentials


@dataclass(frozen=True)
class ProfileSignIn:
    """Sign in through an AWS profile (None: the default chain)."""

    profile: str | None
    region: str | None = None


@dataclass(frozen=True)
class HandedRoleSignIn:
    """A role a client handed over (ARN + external id, kept in the keyring per engagement),
    assumed from the consultant's own profile."""

    engagement: int | str
    source_profile: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class TemporaryKeysSignIn:
    """Temporary keys a client handed over, kept in the keyring per engagement."""

    engagement: int | str
    region: str | None = None


SignIn = ProfileSignIn | HandedRoleSignIn | TemporaryKeysSignIn


def sign_in_to_json(sign_in: SignIn) -> dict[str, Any]:
    """What `Account.sign_in` stores: names only; secrets stay in the keyring."""
    if isinstance(sign_in, ProfileSignIn):
        return {"kind": "profile", "profile": sign_in.profile, "region": sign_in.region}
    if isinstance(sign_in, HandedRoleSignIn):
        return {
            "kind": "assume-role",
            "engagement": sign_in.engagement,
            "source_profile": sign_in.source_profile,
            "region": sign_in.region,
            "secret_ref": "keyring",
        }
    return {
        "kind": "temporary-keys",
        "engagement": sign_in.engagement,
        "region": sign_in.region,
        "secret_ref": "keyring",
    }


def sign_in_from_json(data: Mapping[str, Any]) -> SignIn:
    kind = data.get("kind")
    if kind == "profile":
        return ProfileSignIn(data.get("profile"), data.get("region"))
    if kind == "assume-role":
        return HandedRoleSignIn(data["engagement"], data.get("source_profile"), data.get("region"))
    if kind == "temporary-keys":
        return TemporaryKeysSignIn(data["engagement"], data.get("region"))
    raise SignInError(f"Unknown sign-in kind {kind!r} in the engagement's account settings.")


def make_session(sign_in: SignIn, secrets: SecretStore | None = None) -> boto3.Session:
    """One boto3 session (one per worker task: sessions are not thread-safe)."""
    if isinstance(sign_in, ProfileSignIn):
        return session_for_profile(sign_in.profile, region=sign_in.region)
    if secrets is None:
        raise SignInError("The keyring is needed for this engagement's credentials.")
    if isinstance(sign_in, HandedRoleSignIn):
        handed = secrets.load_role(sign_in.engagement)
        if handed is None:
            raise SignInError(
                "No role was saved for this engagement: enter the client's role ARN again."
            )
        source = session_for_profile(sign_in.source_profile, region=sign_in.region)
        return assume_role_session(
            source, handed.role_arn, external_id=handed.external_id, region=sign_in.region
        )
    keys = secrets.load_temporary_keys(sign_in.engagement)
    if keys is None:
        raise SignInError("No keys were saved for this engagement: enter them again.")
    session = boto3.session.Session(
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
        aws_session_token=keys.session_token,
        region_name=sign_in.region,
    )
    return session
