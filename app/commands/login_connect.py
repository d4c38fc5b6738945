"""`audit-binder login --start-url URL --sso-region R`: a first IAM Identity Center
connection in a terminal, with no profile and no AWS CLI.

Checks the URL and region, checks that the URL answers, signs in (device code; with
--pkce the browser flow), asks for the account and role (numbered choices; with stdin
not a terminal, a single choice is taken and several are an error naming
--account-id/--role-name), then writes the profile and its sso-session as `aws
configure sso` does. Nothing is written to the config file before the last step.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import webbrowser
from collections.abc import Callable, Sequence

from app.aws.login_errors import ProfileConfigError, SignInError
from app.aws.sso import DeviceCode, list_account_roles, list_accounts
from app.aws.sso_cache import SsoToken
from app.aws.sso_config import check_profile_name
from app.aws.sso_connect import (
    BrowserPrompt,
    Connection,
    DeviceFallback,
    prepare_connection,
    save_connection,
    signed_in,
    suggest_profile_name,
    taken_profile_names,
)
from app.aws.sso_start import StartUrlError, UnknownSsoRegion
from app.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

PREFIX = "audit-binder login"


class UsageProblem(Exception):
    """The command line cannot be acted on as given (exit 2)."""


def terminal_prompt(browser: bool) -> Callable[[object], None]:
    """Prints what the user must do for a sign-in prompt, and opens the browser."""

    def show(prompt: object) -> None:
        if isinstance(prompt, BrowserPrompt):
            print("Approve the sign-in in your browser. If it did not open, visit:\n")
            print(f"  {prompt.url}\n", flush=True)
            _open(prompt.url, browser)
        elif isinstance(prompt, DeviceFallback):
            print(prompt.reason, flush=True)
        elif isinstance(prompt, DeviceCode):
            print(f"To sign in, open {prompt.verification_uri}")
            print(f"and confirm this code:\n\n    {prompt.user_code}\n", flush=True)
            _open(prompt.verification_uri_complete, browser)
            print("Waiting for approval (Ctrl-C to cancel)...", flush=True)

    return show


def _open(url: str, browser: bool) -> None:
    if browser:
        # The link is printed anyway: a missing browser is no failure.
        with contextlib.suppress(webbrowser.Error):
            webbrowser.open(url, new=2)


def run_connect(args: argparse.Namespace) -> int:
    cancel = threading.Event()
    try:
        connection = _checked(args)
        show = terminal_prompt(not args.no_browser)
        token, reused = signed_in(connection, show, device_code=not args.pkce, cancel=cancel)
        url, until = connection.target.start_url, f"{token.expires_at:%H:%M} UTC"
        if reused:
            print(f"Using the sign-in to {url} cached until {until}.")
        else:
            print(f"Signed in to {url}; valid until {until}.")
        account_id, role_name = _account_and_role(args, connection, token)
        name = args.profile or _profile_name(account_id, role_name)
        saved = save_connection(connection, account_id, role_name, name, region=args.region)
    except UsageProblem as exc:
        print(f"{PREFIX}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        cancel.set()
        print("\nSign-in cancelled; the AWS config file was not changed.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SignInError as exc:
        print(f"{PREFIX}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    backup = f" (the previous file is kept as {saved.backup_file})" if saved.backup_file else ""
    print(f"Saved profile {saved.name} in {saved.config_file}{backup}.")
    print(f"Scan with: audit-binder scan --profile {saved.name}")
    return EXIT_OK


def _checked(args: argparse.Namespace) -> Connection:
    """Everything that can be checked before any network: a usage problem if wrong."""
    if not args.start_url or not args.sso_region:
        raise UsageProblem("a first connection needs both --start-url and --sso-region.")
    try:
        connection = prepare_connection(args.start_url, args.sso_region)
        if args.profile is not None:
            check_profile_name(args.profile)
            if args.profile in taken_profile_names():
                raise UsageProblem(
                    f'a profile named "{args.profile}" already exists; choose another '
                    "--profile (nothing is ever overwritten)."
                )
    except (StartUrlError, UnknownSsoRegion, ProfileConfigError) as exc:
        raise UsageProblem(str(exc)) from exc
    if args.account_id is not None and not (
        len(args.account_id) == 12 and args.account_id.isdigit()
    ):
        raise UsageProblem(f"--account-id {args.account_id!r} is not a 12-digit account id.")
    return connection


def _account_and_role(
    args: argparse.Namespace, connection: Connection, token: SsoToken
) -> tuple[str, str]:
    target = connection.target
    accounts = list_accounts(token, target)
    if not accounts:
        raise SignInError(
            "This IAM Identity Center user has no AWS account assigned; ask your "
            "administrator to assign one (with a permission set), then run this again."
        )
    account_id = _choose(
        "account",
        [(a.account_id, f"{a.account_id}  {a.name}") for a in accounts],
        args.account_id,
        "--account-id",
    )
    roles = list_account_roles(token, target, account_id)
    if not roles:
        raise SignInError(f"You have no role in account {account_id}; pick another account.")
    role_name = _choose(
        "role", [(r.role_name, r.role_name) for r in roles], args.role_name, "--role-name"
    )
    return account_id, role_name


def _choose(what: str, options: Sequence[tuple[str, str]], given: str | None, flag: str) -> str:
    """The value given, the only one, or the user's numbered pick (not on a pipe)."""
    values = [value for value, _ in options]
    listed = "; ".join(label.replace("  ", " ") for _, label in options)
    if given is not None:
        if given not in values:
            raise UsageProblem(f"{flag} {given} is not one you may use; you may use: {listed}.")
        return given
    if len(options) == 1:
        print(f"Using the only {what} you may use: {options[0][1]}")
        return values[0]
    if not sys.stdin.isatty():
        raise UsageProblem(
            f"{len(options)} {what}s are available ({listed}) and there is no terminal to "
            "ask in: choose with --account-id ID and --role-name NAME."
        )
    print(f"Choose the {what}:")
    for number, (_, label) in enumerate(options, start=1):
        print(f"  {number}. {label}")
    while True:
        try:
            answer = input(f"{what.capitalize()} [1-{len(options)}]: ").strip()
        except EOFError as exc:
            raise UsageProblem(f"no {what} chosen; choose with {flag}.") from exc
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return values[int(answer) - 1]
        print(f"Type a number from 1 to {len(options)}.")


def _profile_name(account_id: str, role_name: str) -> str:
    suggested = suggest_profile_name(account_id, role_name, taken_profile_names())
    if not sys.stdin.isatty():
        return suggested
    while True:
        try:
            answer = input(f"Profile name [{suggested}]: ").strip() or suggested
        except EOFError:
            return suggested
        try:
            check_profile_name(answer)
        except ProfileConfigError as exc:
            print(exc.problem)
            continue
        if answer in taken_profile_names():
            print(f'A profile named "{answer}" already exists; choose another name.')
            continue
        return answer
