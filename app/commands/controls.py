"""`audit-binder controls [ID] [--json]`: the control catalogue, as a table or in full.

Automated controls (live checks against AWS) come first, then the manual ones (evidence
people add), by family; a control the cloud provider carries is marked inherited.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from app.controls.catalogue import (
    FAMILY_TITLES,
    MAPPING_FRAMEWORKS,
    Catalogue,
    CatalogueError,
    Control,
    load_catalogue,
)

JSON_SCHEMA_VERSION = 1
TEXT_WIDTH = 88
# Column widths of the overview table (the first fits the longest id); cells wrap between ids.
_COLUMNS = (("KIND", 9), ("TITLE", 28), ("ISO 27001:2022", 14), ("SOC 2", 12), ("SCF", 17))
Columns = tuple[tuple[str, int], ...]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "controls",
        help="list the controls (automated and manual) and their ISO 27001 / SOC 2 / SCF mapping",
        description="Print the control catalogue: each control with its kind (automated, "
        "manual, inherited from the cloud provider) and its ISO 27001:2022, SOC 2 and SCF "
        "mapping, grouped by family. Name a control to see it in full (checks, manual "
        "evidence, remediation).",
    )
    parser.add_argument("control", nargs="?", metavar="ID", help="show one control in full")
    parser.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    parser.set_defaults(handler=run)


def load_or_say() -> Catalogue | None:
    """The catalogue, or None after saying on stderr why it cannot be loaded."""
    try:
        return load_catalogue()
    except CatalogueError as exc:
        print(f"audit-binder: the control catalogue cannot be loaded: {exc}", file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    catalogue = load_or_say()
    if catalogue is None:
        return 1
    controls = catalogue.controls
    if args.control is not None:
        try:
            controls = (catalogue.get(args.control),)
        except KeyError:
            known = ", ".join(catalogue.ids)
            print(
                f"audit-binder controls: no control {args.control!r} (known: {known})",
                file=sys.stderr,
            )
            return 2
    if args.json:
        print(json.dumps(catalogue_document(catalogue, controls), indent=2, ensure_ascii=False))
    elif args.control is not None:
        print(render_control(catalogue, controls[0]))
    else:
        print(render_overview(catalogue))
    return 0


def catalogue_document(catalogue: Catalogue, controls: Sequence[Control]) -> dict[str, Any]:
    """The stable JSON document: `schema_version` changes when a field changes meaning."""
    criteria: dict[str, dict[str, str]] = {}
    for criterion in catalogue.criteria:
        criteria.setdefault(criterion.framework, {})[criterion.id] = criterion.title
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "frameworks": dict(MAPPING_FRAMEWORKS),
        "families": dict(FAMILY_TITLES),
        "criteria": criteria,
        "controls": [control.to_json() for control in controls],
    }


def kind(control: Control) -> str:
    """ "automated", "manual" or "inherited" (manual, carried by the cloud provider)."""
    if control.automated:
        return "automated"
    return "inherited" if control.inherited is not None else "manual"


def render_overview(catalogue: Catalogue) -> str:
    """The table: one block per family, mapping cells wrapped."""
    columns: Columns = (("CONTROL", max(len(i) for i in catalogue.ids)), *_COLUMNS)
    lines: list[str] = []
    notes: list[str] = []
    for family, controls in catalogue.by_family():
        if lines:
            lines.append("")
        lines.append(FAMILY_TITLES[family])
        lines.extend(wrapped_row([name for name, _ in columns], columns))
        for control in controls:
            mark = "*" if control.mapping.note else ""
            cells = [
                control.id,
                kind(control),
                control.title,
                ", ".join(control.mapping.iso27001) or "-",
                ", ".join(control.mapping.soc2) or "-",
                ", ".join(control.mapping.scf) + mark,
            ]
            lines.extend(wrapped_row(cells, columns))
            if control.mapping.note:
                notes.append(f"* {control.id}: {control.mapping.note}")
    lines.append("")
    for note in notes:
        lines.extend(
            textwrap.wrap(note, TEXT_WIDTH, subsequent_indent="  ", break_on_hyphens=False)
        )
    lines.extend(textwrap.wrap(_totals(catalogue), TEXT_WIDTH))
    lines.append("`audit-binder controls ID` shows one control in full; --json prints everything.")
    return "\n".join(lines)


def _totals(catalogue: Catalogue) -> str:
    controls = catalogue.controls
    automated = len(catalogue.automated_ids)
    inherited = sum(1 for c in controls if c.inherited is not None)
    checks = sum(len(c.checks) for c in controls)
    manual = sum(len(c.manual_evidence) for c in controls)
    return (
        f"{len(controls)} controls ({automated} automated, {len(controls) - automated} manual, "
        f"{inherited} of them inherited from the cloud provider), {checks} automated checks, "
        f"{manual} kinds of manual evidence."
    )


def wrapped_row(cells: Sequence[str], columns: Columns) -> list[str]:
    """One table row, each cell wrapped to its column (between words, never inside an id)."""
    wrapped = [
        textwrap.wrap(cell, width, break_on_hyphens=False, break_long_words=False) or [""]
        for cell, (_, width) in zip(cells, columns, strict=True)
    ]
    height = max(len(column) for column in wrapped)
    lines = []
    for index in range(height):
        parts = [
            f"{(column[index] if index < len(column) else ''):<{width}}"
            for column, (_, width) in zip(wrapped, columns, strict=True)
        ]
        lines.append(("  " + "  ".join(parts)).rstrip())
    return lines


def render_control(catalogue: Catalogue, control: Control) -> str:
    """One control in full: what a reader needs to fix it and to evidence it."""
    out: list[str] = [f"{control.id}: {control.title}", ""]
    out.append(f"Family: {FAMILY_TITLES[control.family]}")
    out.append(f"Kind: {_kind_text(control)}")
    for framework, label in MAPPING_FRAMEWORKS.items():
        ids = control.mapping.ids(framework)
        named = [_with_title(catalogue, framework, criterion) for criterion in ids]
        # Titles contain commas; bare ids (SCF) read better with them.
        separator = "; " if named != list(ids) else ", "
        out.extend(_para(f"{label}: {separator.join(named) or 'none'}", "", "    "))
    if control.mapping.note:
        out.extend(_para(f"Mapping note: {control.mapping.note}", "", "    "))
    if control.source:
        out.append(f"Article section: {control.source}")
    out += ["", "Summary", *_para(control.summary), "", "Why it matters", *_para(control.why)]
    if control.inherited is not None:
        out += ["", f"Inherited from {control.inherited.provider}", *_para(control.inherited.scope)]
        out += ["", "The provider's own report", *_para(control.inherited.report)]
    if control.checks:
        out += ["", "Automated checks"]
        for check in control.checks:
            out.append(f"  {check.id}: {check.title}")
            out.extend(_para(f"A PASS proves: {check.proves}", "      "))
    if control.manual_evidence:
        out += ["", "Manual evidence the auditor will ask for"]
        for item in control.manual_evidence:
            due = f" (due {item.recurrence.label} by default)" if item.recurrence else ""
            out.append(f"  {item.id}: {item.title}{due}")
            out.extend(_para(item.description, "      "))
    out += ["", "Remediation"]
    for number, step in enumerate(control.remediation, start=1):
        out.append(f"  {number}. {step.title}")
        out.extend(_para(step.text, "     "))
        if step.snippet:
            out.append(f"     --- {step.snippet_language} ---")
            out.extend(f"     {line}".rstrip() for line in step.snippet.splitlines())
            out.append("     ---")
    return "\n".join(out)


def _kind_text(control: Control) -> str:
    if control.automated:
        return "automated (live checks against AWS, plus the manual evidence below)"
    if control.inherited is not None:
        return f"manual, inherited from {control.inherited.provider} (attach its report)"
    return "manual (no automated check: the evidence below is what proves it)"


def _with_title(catalogue: Catalogue, framework: str, criterion: str) -> str:
    try:
        return f"{criterion} ({catalogue.criterion_title(framework, criterion)})"
    except KeyError:
        return criterion  # SCF ids carry no titles


def _para(text: str, indent: str = "  ", hanging: str | None = None) -> list[str]:
    """Wrap text, keeping the line breaks the catalogue writes on purpose (lists, steps)."""
    follow = indent if hanging is None else hanging
    lines: list[str] = []
    for line in text.splitlines():
        lines.extend(
            textwrap.wrap(line, TEXT_WIDTH, initial_indent=indent, subsequent_indent=follow) or [""]
        )
    return lines
