"""`audit-binder policy [--org-role ROLE]`: the least-privilege IAM policy, as JSON.

Generated from the same allowlists the read-only guard enforces, so granting exactly
this policy lets every check run and nothing else. Without options: what a scan needs
(the role or permission set you scan with, and the audit role in each member account).
With `--org-role ROLE`: what the management account needs for `scan --org-role ROLE`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.aws.organizations import audit_role_arn
from app.aws.readonly import policy_document
from app.exit_codes import EXIT_OK, EXIT_USAGE


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "policy",
        help="print the least-privilege IAM policy the scan needs",
        description="Print the IAM policy (JSON) that allows exactly the read calls a scan "
        "makes. Attach it to the role or permission set you scan with, and to the audit "
        "role of each member account for `scan --org-role`.",
    )
    parser.add_argument(
        "--actions", action="store_true", help="list the IAM actions one per line instead"
    )
    parser.add_argument(
        "--org-role",
        metavar="ROLE",
        help="the policy of the management (or delegated administrator) account for "
        "`scan --org-role ROLE`: the scan's reads, organizations:ListAccounts, and "
        "sts:AssumeRole on that role in every account",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    role_arn: str | None = None
    if args.org_role is not None:
        try:
            role_arn = audit_role_arn("*", args.org_role)
        except ValueError as exc:
            print(f"audit-binder policy: --org-role: {exc}", file=sys.stderr)
            return EXIT_USAGE
    document = policy_document(role_arn)
    if args.actions:
        print("\n".join(a for s in document["Statement"] for a in s["Action"]))
    else:
        print(json.dumps(document, indent=2))
    return EXIT_OK
