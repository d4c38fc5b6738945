"""`audit-binder login --profile P`: IAM Identity Center sign-in from a terminal.

Runs the device flow (or, with --pkce, the browser authorization-code flow), writes
the token where the AWS CLI does, then lists the accounts and roles when the profile
has none yet, or says who is signed in when it has.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import webbrowser
from typing import Any

from app.aws.identity import whoami
from app.aws.login import session_for_profile
from app.aws.login_errors import SignInError
from app.aws.profiles import get_profile
from app.aws.sso import (
    DeviceCode,
    device_login,
    list_account_roles,
    list_accounts,
    target_for_profile,
)
from app.aws.sso_cache import SsoTarget, SsoToken
from app.aws.sso_pkce import pkce_login
from app.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "login",
        help="sign in to IAM Identity Center (SSO) for a profile",
        description="Sign in to IAM Identity Center for an SSO profile; the token is "
        "shared with the AWS CLI and SDKs (~/.aws/sso/cache).",
    )
    parser.add_argument("--profile", required=True, help="an SSO profile (see `profiles`)")
    parser.add_argument("--no-browser", action="store_true", help="only print the link")
    parser.add_argument(
        "--pkce",
        action="store_true",
        help="use the browser authorization-code flow with a 127.0.0.1 redirect "
        "(default: the device code flow, which also works on another device)",
    )
    parser.set_defaults(handler=run)


def _open(url: str, browser: bool) -> None:
    if browser:
        # The link is printed anyway: a missing browser is no failure.
        with contextlib.suppress(webbrowser.Error):
            webbrowser.open(url, new=2)


def _sign_in(target: SsoTarget, args: argparse.Namespace, cancel: threading.Event) -> SsoToken:
    if args.pkce:

        def show_link(url: str) -> None:
            print("Approve the sign-in in your browser. If it did not open, visit:\n")
            print(f"  {url}\n", flush=True)
            _open(url, not args.no_browser)

        return pkce_login(target, show_link, cancel=cancel)

    def show_code(code: DeviceCode) -> None:
        print(f"To sign in, open {code.verification_uri}")
        print(f"and confirm this code:\n\n    {code.user_code}\n", flush=True)
        _open(code.verification_uri_complete, not args.no_browser)
        print("Waiting for approval (Ctrl-C to cancel)...", flush=True)

    return device_login(target, show_code, cancel=cancel)


def run(args: argparse.Namespace) -> int:
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
