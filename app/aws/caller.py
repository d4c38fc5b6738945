"""The start of a scan: who it runs as, or why it cannot run at all.

`sts:GetCallerIdentity` goes through a guarded scan client. Failures become
`ScanUnavailable` with a message a person can act on (no credentials, an expired SSO
or console sign-in, an unknown profile, an unreachable endpoint), reusing sign-in's
translation of botocore's credential errors.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from app.aws.calls import explain
from app.aws.clients import ScanClients
from app.aws.identity import Identity, ScanUnavailable
from app.aws.login import translate_error

__all__ = ["Identity", "ScanUnavailable", "caller_identity", "describe_failure"]


def describe_failure(exc: BaseException, profile: str | None) -> str:
    """The message for an exception that stops a scan before it starts."""
    if isinstance(exc, NoRegionError):
        return "No AWS region configured: set AWS_DEFAULT_REGION or `region` in the profile."
    translated = translate_error(exc, profile)
    if translated is not None:
        return str(translated)
    return f"Could not start the scan: {explain(exc, 'sts', 'GetCallerIdentity', 'global')}"


def caller_identity(clients: ScanClients, profile: str | None = None) -> Identity:
    """The caller's account and ARN; raises `ScanUnavailable` with the reason otherwise."""
    try:
        sts: Any = clients.client("sts", clients.default_region)  # may raise ProfileNotFound
        response = sts.get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise ScanUnavailable(describe_failure(exc, profile)) from exc
    return Identity(
        account_id=str(response["Account"]),
        caller_arn=str(response["Arn"]),
        user_id=str(response.get("UserId", "")),
    )
