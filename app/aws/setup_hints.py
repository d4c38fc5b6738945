"""Where every "you have no profile yet" hint leads, in one place.

Each hint must end somewhere that works with nothing set up yet: a first IAM Identity
Center connection from Audit Binder itself (`audit-binder login --start-url URL
--sso-region R`, or the app's "Connect with IAM Identity Center…"), which signs in,
lets the user pick the account and role and writes the profile; or the AWS CLI's own
set-up. Commands that only work once a profile exists (`audit-binder login --profile
P`) are never offered as the first step.
"""

from __future__ import annotations

EXAMPLE_START_URL = "https://YOUR-ORG.awsapps.com/start"
CONNECT_BUTTON = "Connect with IAM Identity Center…"
EXAMPLE_REGION = "us-east-1"
CONNECT_COMMAND = (
    f"audit-binder login --start-url {EXAMPLE_START_URL} --sso-region {EXAMPLE_REGION}"
)
LIST_PROFILES = "`audit-binder profiles` lists them and says how to set one up"
_WITH_THE_CLI = (
    "With the AWS CLI instead: `aws configure sso`, or `aws login` (AWS CLI 2.32 or later)."
)
_WHERE = (
    "your AWS access portal URL and the region of your IAM Identity Center (the IAM "
    "Identity Center console's dashboard shows both, under Settings summary)"
)


def first_profile_in_terminal(config_file: str) -> str:
    return (
        "To connect to IAM Identity Center (SSO) without the AWS CLI, run\n\n"
        f"    {CONNECT_COMMAND}\n\n"
        f"with {_WHERE}: it signs in, lets you pick the account and role, and saves "
        f"them as a profile in {config_file}.\n{_WITH_THE_CLI}"
    )


def first_profile_in_app(config_file: str) -> str:
    return (
        f"Press “{CONNECT_BUTTON}” and enter {_WHERE}: the app signs you in in the "
        f"browser, lets you pick the account and role, and saves them as a profile in "
        f"{config_file}. {_WITH_THE_CLI} Then press Reload."
    )
