"""Where every "you have no profile yet" hint leads, in one place.

Each hint must end somewhere that works with what exists: the AWS CLI's own set-up, or a
profile written by hand that `audit-binder login` (or the app's Sign-in screen) then
signs in with. Commands that only work once a profile exists (`audit-binder login
--profile P`) are never offered as the first step.
"""

from __future__ import annotations

EXAMPLE_PROFILE = "audit"
# What `aws configure sso` writes, minus the account and role (chosen after sign-in).
EXAMPLE_CONFIG = (
    f"[profile {EXAMPLE_PROFILE}]\n"
    f"sso_session = {EXAMPLE_PROFILE}\n"
    "\n"
    f"[sso-session {EXAMPLE_PROFILE}]\n"
    "sso_start_url = https://YOUR-ORG.awsapps.com/start\n"
    "sso_region = us-east-1\n"
    "sso_registration_scopes = sso:account:access\n"
)
LIST_PROFILES = "`audit-binder profiles` lists them and says how to set one up"


def _indented(text: str) -> str:
    return "".join(f"    {line}\n" if line else "\n" for line in text.splitlines())


def first_profile_steps(config_file: str, then: str) -> str:
    """How to get a first profile, ending with `then` (how to sign in with it)."""
    return (
        "To set one up for IAM Identity Center (SSO), either run `aws configure sso` "
        f"(AWS CLI v2), or add this to {config_file} with your own start URL and region:\n\n"
        f"{_indented(EXAMPLE_CONFIG)}\n"
        f"{then}\n"
        "With AWS CLI 2.32 or later, `aws login` (console sign-in) works as well."
    )


def first_profile_in_terminal(config_file: str) -> str:
    return first_profile_steps(
        config_file,
        f"then run `audit-binder login --profile {EXAMPLE_PROFILE}`: it signs in and lists "
        "the accounts and roles you may use.",
    )


def first_profile_in_app(config_file: str) -> str:
    return first_profile_steps(
        config_file,
        f"then reload, select {EXAMPLE_PROFILE} and sign in: the app shows the code, opens "
        "the browser, and lets you pick the account and role.",
    )
