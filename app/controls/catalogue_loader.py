"""Reading `resources/controls/*.toml` into a `Catalogue`, strictly.

Every problem is a `CatalogueError` naming the file and the field
(`nacls.toml: checks[0].id: missing`), so whoever edits the data sees what to fix
instead of a KeyError deep inside the UI or the binder.

Every `*.toml` in the folder but `criteria.toml` is a control. The automated ones
(`CONTROL_IDS`, whose checks live in `app/controls/checks`) must all be there, with
checks; every other control is manual: no checks, manual evidence, and an id that is
not reserved for an automated control to come.
"""

from __future__ import annotations

import re
from pathlib import Path

from app import paths
from app.controls.catalogue import (
    CONTROL_IDS,
    CRITERION_IDS,
    FAMILIES,
    FRAMEWORKS,
    RESERVED_CONTROL_IDS,
    Catalogue,
    CatalogueError,
    CheckSpec,
    Control,
    Inherited,
    ManualEvidence,
    Mapping,
    RemediationStep,
)
from app.controls.catalogue_criteria import CRITERIA_FILE, check_coverage, read_criteria
from app.controls.catalogue_table import SLUG, Table, parse_file, type_name
from app.recurrence import Recurrence, parse_recurrence

SNIPPET_LANGUAGES = ("bash", "json", "yaml", "sql")
# SCF ids carry no titles here; their shape catches typos such as "NET04".
_SCF_ID = r"^[A-Z]{3}-\d{2}(?:\.\d{1,2})?$"


def read_catalogue(directory: Path | None = None) -> Catalogue:
    """The whole catalogue from `directory` (default: the bundled `resources/controls`)."""
    directory = directory if directory is not None else paths.resources_dir() / "controls"
    if not directory.is_dir():
        raise CatalogueError(str(directory), "", "the control catalogue folder does not exist")
    manual_files = sorted(
        p.name
        for p in directory.glob("*.toml")
        if p.name != CRITERIA_FILE and p.stem not in CONTROL_IDS
    )
    automated = tuple(_read_control(directory, f"{i}.toml")[0] for i in CONTROL_IDS)
    manual = sorted((_read_control(directory, name) for name in manual_files), key=_manual_order)
    controls = automated + tuple(control for control, _ in manual)
    _check_kinds(controls)
    _check_unique_check_ids(controls)
    criteria = read_criteria(directory)
    check_coverage(controls, criteria)
    return Catalogue(controls=controls, criteria=criteria)


def _manual_order(item: tuple[Control, int | None]) -> tuple[int, int, int, str]:
    """By family, then controls with an `order` by it, then the rest by id."""
    control, order = item
    return (FAMILIES.index(control.family), order is None, order or 0, control.id)


def _read_control(directory: Path, name: str) -> tuple[Control, int | None]:
    """One control file, and its optional `order` within its family."""
    stem = name.removesuffix(".toml")
    if not SLUG.match(stem):
        raise CatalogueError(name, "", "a control file is named after its id: a lower-case slug")
    top = parse_file(directory, name)
    top.expect_keys(
        ("id", "title", "family", "summary", "why", "mapping", "remediation"),
        ("source", "checks", "manual_evidence", "inherited", "order"),
    )
    if top.slug("id") != stem:
        raise top.fail("id", f"{top.data['id']!r} does not match the file name ({stem})")
    family = top.text("family")
    if family not in FAMILIES:
        raise top.fail("family", f"{family!r} is not one of {', '.join(FAMILIES)}")
    checks = top.tables("checks", _read_check) if "checks" in top.data else ()
    manual = top.tables("manual_evidence", _read_manual) if "manual_evidence" in top.data else ()
    if not checks and not manual:
        raise top.fail("checks", "a control needs automated checks or manual evidence (none given)")
    _unique(top, "manual_evidence", [m.id for m in manual])
    remediation = top.tables("remediation", _read_step)
    if not remediation:
        raise top.fail("remediation", "must have at least one step")
    inherited = _read_inherited(top.table("inherited")) if "inherited" in top.data else None
    control = Control(
        id=stem,
        title=top.text("title"),
        family=family,
        summary=top.text("summary"),
        why=top.text("why"),
        source=top.text("source", optional=True),
        mapping=_read_mapping(top.table("mapping")),
        checks=checks,
        manual_evidence=manual,
        remediation=remediation,
        inherited=inherited,
    )
    return control, top.integer("order")


def _check_kinds(controls: tuple[Control, ...]) -> None:
    """Automated controls are the engine's (CONTROL_IDS); reserved ids stay free for them."""
    for control in controls:
        name = f"{control.id}.toml"
        if control.id in CONTROL_IDS and not control.automated:
            raise CatalogueError(name, "checks", "an automated control needs its checks")
        if control.automated and control.id not in CONTROL_IDS:
            raise CatalogueError(
                name,
                "checks",
                "no scan runs these checks: only the automated controls in CONTROL_IDS "
                "(app/controls/catalogue.py) may have checks",
            )
        if control.id in RESERVED_CONTROL_IDS and not control.automated:
            raise CatalogueError(
                name,
                "id",
                f"{control.id!r} is reserved for an automated control: choose another id",
            )


def _unique(top: Table, key: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            raise top.fail(f"{key}[{index}].id", f"{item_id!r} is used twice")
        seen.add(item_id)


def _read_mapping(table: Table) -> Mapping:
    """Three lists; ISO 27001 or SOC 2 may be empty (not both), SCF may be empty."""
    table.expect_keys(("iso27001", "soc2", "scf"), ("note",))

    def known(framework: str, value: str) -> str | None:
        if framework == "scf":
            return None if re.match(_SCF_ID, value) else f"{value!r} does not look like an SCF id"
        if value in CRITERION_IDS[framework]:
            return None
        return f"{value!r} is not an {FRAMEWORKS[framework]} criterion id"

    mapping = Mapping(
        iso27001=table.strings("iso27001", known, may_be_empty=True),
        soc2=table.strings("soc2", known, may_be_empty=True),
        scf=table.strings("scf", known, may_be_empty=True),
        note=table.text("note", optional=True),
    )
    if not mapping.iso27001 and not mapping.soc2:
        raise table.fail("iso27001", "a control must map to at least one ISO 27001 or SOC 2 id")
    return mapping


def _read_inherited(table: Table) -> Inherited:
    table.expect_keys(("provider", "scope", "report"))
    return Inherited(
        provider=table.text("provider"), scope=table.text("scope"), report=table.text("report")
    )


def _read_check(table: Table) -> CheckSpec:
    table.expect_keys(("id", "title", "proves"))
    return CheckSpec(id=table.slug("id"), title=table.text("title"), proves=table.text("proves"))


def _read_manual(table: Table) -> ManualEvidence:
    table.expect_keys(("id", "title", "description"), ("recurrence",))
    recurrence = None
    if "recurrence" in table.data:
        text = table.text("recurrence")
        try:
            recurrence = parse_recurrence(text)
        except ValueError as error:
            raise table.fail("recurrence", str(error)) from None
        if recurrence is Recurrence.ONCE:
            raise table.fail("recurrence", "leave it out for evidence asked for once")
    return ManualEvidence(
        id=table.slug("id"),
        title=table.text("title"),
        description=table.text("description"),
        recurrence=recurrence,
    )


def _read_step(table: Table) -> RemediationStep:
    table.expect_keys(("title", "text"), ("snippet", "snippet_language"))
    snippet = table.data.get("snippet", "")
    if not isinstance(snippet, str):
        raise table.fail("snippet", f"must be a string, not {type_name(snippet)}")
    # Keep the snippet's indentation; drop the blank lines TOML's ''' leaves around it.
    snippet = snippet.strip("\n").rstrip()
    language = table.text("snippet_language", optional=True)
    if snippet and language not in SNIPPET_LANGUAGES:
        choices = ", ".join(SNIPPET_LANGUAGES)
        problem = f"{language!r} is not one of {choices}" if language else f"missing ({choices})"
        raise table.fail("snippet_language", problem)
    if language and not snippet:
        raise table.fail("snippet_language", "given without a snippet")
    return RemediationStep(
        title=table.text("title"),
        text=table.text("text"),
        snippet=snippet,
        snippet_language=language,
    )


def _check_unique_check_ids(controls: tuple[Control, ...]) -> None:
    """Check ids are global: a result row names its check, and the store keys on it."""
    owner: dict[str, str] = {}
    for control in controls:
        for index, check in enumerate(control.checks):
            if check.id in owner:
                raise CatalogueError(
                    f"{control.id}.toml",
                    f"checks[{index}].id",
                    f"{check.id!r} is already a check of {owner[check.id]}",
                )
            owner[check.id] = control.id
