"""The headless front door: `audit-binder <command>`; no command opens the GUI."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from app import __version__
from app.exit_codes import EXIT_FAILED
from app.gui_preflight import gui_problem

# Each names a module in app/commands with `register(subparsers)`; the parser it adds
# sets `handler=<callable(args) -> int>`.
COMMANDS: tuple[str, ...] = (
    "controls",
    "criteria",
    "profiles",
    "login",
    "export",
    "soa",
    "evidence",
    "verify",
    "scan",
    "policy",
    "demo",
    "db",
    "schedule",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="audit-binder",
        description="Get an AWS account ready for an ISO 27001 / SOC 2 audit. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"audit-binder {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the app on the demo account")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"app.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        problem = gui_problem()  # before Qt, which aborts the process without a display
        if problem is not None:
            print(problem, file=sys.stderr)
            return EXIT_FAILED
        from app.ui.launch import run_gui  # Qt only when the GUI is wanted

        return run_gui(demo=args.demo)
    handler = args.handler
    try:
        result: int = handler(args)
    except BrokenPipeError:
        # `audit-binder controls --json | head`: the reader left; not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        # Ctrl-C in a command without its own handling (export, verify...): files are
        # written atomically, so nothing is half-done; a traceback would only alarm.
        print(f"\naudit-binder {args.command}: interrupted.", file=sys.stderr)
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
