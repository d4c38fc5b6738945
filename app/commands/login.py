"""`audit-binder login`: IAM Identity Center sign-in from a terminal.

With `--profile P` alone: runs the device flow (or, with --pkce, the browser
authorization-code flow) for an existing SSO profile, writes the token where the AWS
CLI does, then lists the accounts and roles when the profile has none yet, or says who
is signed in when it has. With `--start-url URL --sso-region R`: a first connection,
which also writes the profile (`app.commands.login_connect`).
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

from app.aws.identity import whoami
from app.aws.login import session_for_profile
from app.aws.login_errors import SignInError
from app.aws.profiles import get_profile
from app.aws.sso import (
    device_login,
    list_account_roles,
    list_accounts,
    target_for_profile,
)
from app.aws.sso_cache import SsoTarget, SsoToken
from app.aws.sso_connect import BrowserPrompt
from app.aws.sso_pkce import pkce_login
from app.commands.login_connect import run_connect, terminal_prompt
from app.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "login",
        help="sign in to IAM Identity Center (SSO); with --start-url, connect a first time",
        description="Sign in to IAM Identity Center for an SSO profile; the token is "
        "shared with the AWS CLI and SDKs (~/.aws/sso/cache). With --start-url and "
        "--sso-region: a first connection without the AWS CLI, which signs in, asks for "
        "the account and role, and writes the profile to ~/.aws/config as `aws configure "
        "sso` would (after a backup of the file).",
    )
    parser.add_argument(
        "--profile",
        help="an SSO profile (see `profiles`); with --start-url, the name of the profile "
        "to write (default: ROLE-ACCOUNT, as `aws configure sso` suggests)",
    )
    parser.add_argument("--no-browser", action="store_true", help="only print the link")
    parser.add_argument(
        "--pkce",
        action="store_true",
        help="use the browser authorization-code flow with a 127.0.0.1 redirect "
        "(default: the device code flow, which also works on another device)",
    )
    first = parser.add_argument_group("a first connection (no profile yet)")
    first.add_argument(
        "--start-url", help="your AWS access portal URL (https://….awsapps.com/start)"
    )
    first.add_argument("--sso-region", help="the region your IAM Identity Center runs in")
    first.add_argument("--account-id", help="the account to use (else asked, or the only one)")
    first.add_argument("--role-name", help="the role to use (else asked, or the only one)")
    first.add_argument("--region", help="the profile's default region (default: --sso-region)")
    parser.set_defaults(handler=run, usage_error=parser.error)


def _sign_in(target: SsoTarget, args: argparse.Namespace, cancel: threading.Event) -> SsoToken:
    show = terminal_prompt(not args.no_browser)
    if args.pkce:
        return pkce_login(target, lambda url: show(BrowserPrompt(url)), cancel=cancel)
    return device_login(target, show, cancel=cancel)


def run(args: argparse.Namespace) -> int:
    if args.start_url is not None or args.sso_region is not None:
        return run_connect(args)
    extra = [
        flag
        for flag, value in (
            ("--account-id", args.account_id),
            ("--role-name", args.role_name),
            ("--region", args.region),
        )
        if value is not None
    ]
    if args.profile is None or extra:
        what = f"{', '.join(extra)} only go with --start-url" if extra else "nothing to sign in"
        args.usage_error(  # argparse's: the usage line, the message, exit 2
            f"{what}: give --profile P (an existing SSO profile), or --start-url URL "
            "--sso-region R for a first connection"
        )
    cancel = threading.Event()
    try:
        target = target_for_profile(args.profile)
        token = _sign_in(target, args, cancel)
        print(
            f"Signed in to {target.start_url}; token valid until "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        profile = get_profile(args.profile)
        if profile.sso_account_id and profile.sso_role_name:
            identity = whoami(session_for_profile(args.profile), args.profile)
            print(
                f"Profile {args.profile} is {identity.caller_arn} (account {identity.account_id})."
            )
            return EXIT_OK
        print("This profile has no account and role yet. You may use:")
        for account in list_accounts(token, target):
            roles = list_account_roles(token, target, account.account_id)
            names = ", ".join(r.role_name for r in roles) or "(no roles)"
            print(f"  {account.account_id}  {account.name:<24} {names}")
        print("Add sso_account_id and sso_role_name to the profile, or pick them in the app.")
        return EXIT_OK
    except KeyboardInterrupt:
        cancel.set()
        print("\nSign-in cancelled.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SignInError as exc:
        print(f"audit-binder login: {exc}", file=sys.stderr)
        return EXIT_FAILED
