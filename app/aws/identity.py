"""Who the app is signed in as (`sts:GetCallerIdentity`), and why a scan cannot start.

`Identity` is shown after sign-in and stored with every scan (account id and caller
ARN); `whoami` fetches it with typed, actionable errors. `ScanUnavailable` is the
engine's "cannot scan at all" error.

NOTE (sign-in engineer): this file was accidentally overwritten while both the engine
and sign-in lanes wrote to it; `Identity` keeps the engine's field names
(`account_id`, `caller_arn`, `partition`) and adds `user_id`, `arn`, `display_name`.
"""

from __future__ import annotations

from dataclasses import dataclass

import boto3
import botocore.exceptions

from app.aws.clients import identity_config
from app.aws.login import translate_error
from app.aws.login_errors import SignInError


class ScanUnavailable(Exception):
    """The scan cannot run at all (no regions, no identity...): a message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Identity:
    account_id: str
    caller_arn: str
    user_id: str = ""
    partition: str = ""

    def __post_init__(self) -> None:
        if not self.partition:
            parts = self.caller_arn.split(":")
            partition = parts[1] if len(parts) > 1 and parts[1] else "aws"
            object.__setattr__(self, "partition", partition)

    @property
    def arn(self) -> str:
        return self.caller_arn

    @property
    def display_name(self) -> str:
        """The part after the last "/" of the ARN: role session, user name or "root"."""
        tail = self.caller_arn.split(":", 5)[-1]
        return tail.rsplit("/", 1)[-1] if "/" in tail else tail


def whoami(session: boto3.Session, profile: str | None = None) -> Identity:
    """The caller behind `session`. Raises `SignInRequired`, `NoCredentialsError`,
    `OfflineError`... (all `SignInError`) with a message a person can act on."""
    if profile is None:
        profile = session.profile_name if isinstance(session.profile_name, str) else None
    try:
        response = session.client("sts", config=identity_config()).get_caller_identity()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        translated = translate_error(exc, profile)
        if translated is None:
            raise SignInError(f"Could not tell who is signed in: {exc}") from exc
        raise translated from exc
    return Identity(
        account_id=response["Account"], caller_arn=response["Arn"], user_id=response["UserId"]
    )
