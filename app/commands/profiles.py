"""`audit-binder profiles`: the AWS profiles on this machine, their kind, never a secret."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.aws.login_errors import SignInError
from app.aws.profiles import Profile, ProfileKind, list_profiles, load_config
from app.aws.setup_hints import first_profile_in_terminal
from app.exit_codes import EXIT_FAILED, EXIT_OK


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "profiles",
        help="list the AWS profiles and how each signs in",
        description="List the profiles of the AWS config and credentials files "
        "(AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE respected) with their kind. "
        "Secrets are never shown.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def describe(profile: Profile) -> str:
    """One line on how the profile signs in."""
    kind = profile.kind
    if kind is ProfileKind.ASSUME_ROLE:
        via = " -> ".join(profile.chain[1:]) or profile.credential_source or "?"
        root = f" ({profile.root_kind.value})" if profile.root_kind else ""
        return f"{profile.role_arn} via {via}{root}"
    if kind is ProfileKind.SSO:
        where = f"session {profile.sso_session}" if profile.sso_session else "legacy"
        target = (
            f"{profile.sso_account_id} / {profile.sso_role_name}"
            if profile.sso_account_id and profile.sso_role_name
            else "no account/role yet"
        )
        start_url = profile.sso_start_url or "no start URL"  # e.g. its session is missing
        return f"{start_url} ({where}), {target}"
    if kind is ProfileKind.WEB_IDENTITY:
        return f"{profile.role_arn} with token file {profile.web_identity_token_file}"
    if kind is ProfileKind.LOGIN:
        return f"aws login session {profile.login_session}"
    if kind is ProfileKind.PROCESS:
        return f"credential_process {profile.process_program}"
    if kind in (ProfileKind.STATIC_KEYS, ProfileKind.TEMPORARY_KEYS):
        return f"keys in the {' and '.join(profile.sources)} file"
    return "settings only: credentials come from the environment"


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config()
        profiles = list_profiles(config)
    except SignInError as exc:
        print(f"audit-binder profiles: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        document = {
            "config_file": config.config_file,
            "credentials_file": config.credentials_file,
            "profiles": [p.to_json() for p in profiles],
        }
        print(json.dumps(document, indent=2))
        return EXIT_OK
    if not profiles:
        print(f"No profiles in {config.config_file} or {config.credentials_file}.")
        print(first_profile_in_terminal(config.config_file))
        return EXIT_OK
    width = max(len(p.name) for p in profiles)
    kind_width = max(len(p.kind.value) for p in profiles)
    for profile in profiles:
        region = profile.region or "-"
        print(
            f"{profile.name:<{width}}  {profile.kind.value:<{kind_width}}  {region:<14}  "
            f"{describe(profile)}"
        )
        for flag in profile.flags:
            print(f"{'':<{width}}  note: {flag}")
        if profile.problem:
            print(f"{'':<{width}}  problem: {profile.problem}")
    return EXIT_OK
