"""`audit-binder policy`: the least-privilege IAM policy a scan needs, as JSON.

Generated from the same allowlist the read-only guard enforces, so granting exactly
this policy lets every check run and nothing else.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.aws.readonly import policy_json, required_actions


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "policy",
        help="print the least-privilege IAM policy the scan needs",
        description="Print the IAM policy (JSON) that allows exactly the read calls a scan "
        "makes. Attach it to the role or permission set you scan with.",
    )
    parser.add_argument(
        "--actions", action="store_true", help="list the IAM actions one per line instead"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.actions:
        print("\n".join(required_actions()))
    else:
        print(policy_json())
    return 0
