"""The start of a scan: who it runs as, or why it cannot run at all.

`sts:GetCallerIdentity` goes through a guarded scan client. Failures become
`ScanUnavailable` with a message a person can act on (no credentials, an expired SSO
or console sign-in, an unknown profile, an unreachable endpoint), reusing sign-in's
translation of botocore's credential errors.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError
from botocore.parsers import ResponseParserError

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
    sts: Any = None
    try:
        sts = clients.identity_client(clients.default_region)  # may raise ProfileNotFound
        response = sts.get_caller_identity()
        return Identity(
            account_id=str(response["Account"]),
            caller_arn=str(response["Arn"]),
            user_id=str(response.get("UserId", "")),
        )
    except (BotoCoreError, ClientError) as exc:
        raise ScanUnavailable(describe_failure(exc, profile)) from exc
    except (OSError, json.JSONDecodeError) as exc:
        # botocore runs credential_process and reads web_identity_token_file itself and
        # lets their failures through unwrapped: a missing or unusable program or file.
        who = f'profile "{profile}"' if profile else "the default credential chain"
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
        raise ScanUnavailable(
            f"The credentials of {who} could not be obtained ({detail}). Check the "
            "profile's credential_process or web_identity_token_file."
        ) from exc
    except (ResponseParserError, KeyError, TypeError, ValueError) as exc:
        # An unusable endpoint URL, or something that is not AWS answering (a web server,
        # a proxy's error page): botocore raises outside its own hierarchy then (even a
        # bare KeyError for a 200 HTML page), which must not end in a traceback.
        endpoint = getattr(getattr(sts, "meta", None), "endpoint_url", None)
        what = f"The endpoint {endpoint} did not answer like AWS" if endpoint else "Bad endpoint"
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
        raise ScanUnavailable(
            f"{what} ({detail}). Check AWS_ENDPOINT_URL, the profile's endpoint_url "
            "and any proxy settings."
        ) from exc
