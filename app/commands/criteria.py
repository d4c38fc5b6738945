"""`audit-binder criteria [--framework iso27001|soc2] [--json]`: every criterion and its controls.

The Statement of Applicability's rows before any decision: each ISO 27001:2022 Annex A
control and SOC 2 criterion with its short title (our own words) and the catalogue's
controls that cover it, grouped by theme.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.commands.controls import TEXT_WIDTH, load_or_say, wrapped_row
from app.controls.catalogue import (
    FRAMEWORKS,
    SOC2_CATEGORIES,
    THEME_TITLES,
    Catalogue,
    Criterion,
)

_COLUMNS = (("ID", 7), ("TITLE", 46), ("CONTROLS", TEXT_WIDTH - 61))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "criteria",
        help="list every ISO 27001 / SOC 2 criterion and the controls that cover it",
        description="Print every ISO 27001:2022 Annex A control and SOC 2 criterion with "
        "its short title and the controls of the catalogue that cover it, grouped by theme.",
    )
    parser.add_argument(
        "--framework", choices=tuple(FRAMEWORKS), help="only this framework (default: both)"
    )
    parser.add_argument("--json", action="store_true", help="print the criteria as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    catalogue = load_or_say()
    if catalogue is None:
        return 1
    frameworks = (args.framework,) if args.framework else tuple(FRAMEWORKS)
    if args.json:
        document = criteria_document(catalogue, frameworks)
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(render_criteria(catalogue, frameworks))
    return 0


def criteria_document(catalogue: Catalogue, frameworks: tuple[str, ...]) -> list[dict[str, Any]]:
    """One object per criterion: framework, id, title, controls (ids); SOC 2 adds category."""
    document: list[dict[str, Any]] = []
    for framework in frameworks:
        for criterion in catalogue.criteria_of(framework):
            item: dict[str, Any] = {
                "framework": framework,
                "id": criterion.id,
                "title": criterion.title,
                "controls": _control_ids(catalogue, criterion),
            }
            if criterion.category:
                item["category"] = criterion.category
            document.append(item)
    return document


def render_criteria(catalogue: Catalogue, frameworks: tuple[str, ...]) -> str:
    """A table per framework, a block per theme."""
    lines: list[str] = []
    for framework in frameworks:
        criteria = catalogue.criteria_of(framework)
        if lines:
            lines.append("")
        lines.append(f"{FRAMEWORKS[framework]}: {len(criteria)} criteria")
        theme = ""
        for criterion in criteria:
            if criterion.theme != theme:
                theme = criterion.theme
                lines += ["", _theme_heading(criterion)]
                lines.extend(wrapped_row([name for name, _ in _COLUMNS], _COLUMNS))
            cells = [criterion.id, criterion.title, ", ".join(_control_ids(catalogue, criterion))]
            lines.extend(wrapped_row(cells, _COLUMNS))
    lines.append("")
    lines.append("Titles are short descriptions in our own words, not the standards' text.")
    lines.append("`audit-binder controls ID` shows a control in full.")
    return "\n".join(lines)


def _theme_heading(criterion: Criterion) -> str:
    heading = THEME_TITLES[criterion.theme]
    if criterion.category:
        heading += f" ({SOC2_CATEGORIES[criterion.category]})"
    return heading


def _control_ids(catalogue: Catalogue, criterion: Criterion) -> list[str]:
    return [c.id for c in catalogue.controls_for(criterion.framework, criterion.id)]
