"""`criteria.toml`: a title for every ISO 27001:2022 Annex A control and SOC 2 criterion.

The canonical ids are in code (`ISO27001_IDS`, `SOC2_IDS` in `catalogue.py`): the file
must title exactly those, SOC 2 ones under their category (`[soc2.security]` for CC..).
The coverage rule (every criterion has at least one control) is checked here too.
"""

from __future__ import annotations

from pathlib import Path

from app.controls.catalogue import (
    FRAMEWORKS,
    ISO27001_IDS,
    SOC2_CATEGORIES,
    SOC2_IDS,
    CatalogueError,
    Control,
    Criterion,
    soc2_category,
)
from app.controls.catalogue_table import Table, parse_file

CRITERIA_FILE = "criteria.toml"
SOC2_KIND = "a SOC 2 (2017) criterion"


def read_criteria(directory: Path) -> tuple[Criterion, ...]:
    """All 93 + 61 criteria in the standards' order, or a CatalogueError naming the fault."""
    top = parse_file(directory, CRITERIA_FILE)
    top.expect_keys(tuple(FRAMEWORKS))
    iso = top.table("iso27001")
    titles = _titles(iso, ISO27001_IDS, "an ISO 27001:2022 Annex A control (A.5.1 to A.8.34)")
    soc2 = top.table("soc2")
    soc2.expect_keys(tuple(SOC2_CATEGORIES))
    tables = {category: soc2.table(category) for category in SOC2_CATEGORIES}
    _check_placement(tables)
    soc2_titles: dict[str, tuple[str, str]] = {}
    for category, table in tables.items():
        own = tuple(i for i in SOC2_IDS if soc2_category(i) == category)
        for criterion_id, title in _titles(table, own, SOC2_KIND).items():
            soc2_titles[criterion_id] = (title, category)
    return tuple(Criterion("iso27001", i, titles[i]) for i in ISO27001_IDS) + tuple(
        Criterion("soc2", i, *soc2_titles[i]) for i in SOC2_IDS
    )


def _check_placement(tables: dict[str, Table]) -> None:
    """Each SOC 2 id listed once, under its own category (before any is missed)."""
    placed: dict[str, str] = {}
    for category, table in tables.items():
        for criterion_id in table.data:
            if criterion_id not in SOC2_IDS:
                continue  # _titles says it is unknown
            if criterion_id in placed:
                raise table.fail(
                    criterion_id, f"listed twice (also under [soc2.{placed[criterion_id]}])"
                )
            right = soc2_category(criterion_id)
            if right != category:
                raise table.fail(criterion_id, f"a {right} criterion: list it under [soc2.{right}]")
            placed[criterion_id] = category


def _titles(table: Table, expected: tuple[str, ...], kind: str) -> dict[str, str]:
    """Each expected id's title; an unknown id or a missing one is refused."""
    for criterion_id, value in table.data.items():
        if criterion_id not in expected:
            hint = (
                ' (write a dotted id in quotes: "A.5.1" = "...")' if isinstance(value, dict) else ""
            )
            raise table.fail(criterion_id, f"not {kind}{hint}")
    missing = [i for i in expected if i not in table.data]
    if missing:
        raise CatalogueError(
            table.file, table.path, f"no title for {', '.join(missing)} (every criterion needs one)"
        )
    return {i: table.text(i) for i in expected}


def uncovered_criteria(
    controls: tuple[Control, ...], criteria: tuple[Criterion, ...]
) -> dict[str, tuple[str, ...]]:
    """Per framework, the criteria no control maps to, in order (empty when all covered)."""
    return {
        framework: tuple(
            c.id
            for c in criteria
            if c.framework == framework
            and not any(c.id in control.mapping.ids(framework) for control in controls)
        )
        for framework in FRAMEWORKS
    }


def check_coverage(controls: tuple[Control, ...], criteria: tuple[Criterion, ...]) -> None:
    """Refuse a catalogue that leaves any criterion without a control, naming them all."""
    gaps = uncovered_criteria(controls, criteria)
    if any(gaps.values()):
        listed = "; ".join(f"{FRAMEWORKS[f]} {', '.join(ids)}" for f, ids in gaps.items() if ids)
        raise CatalogueError(
            CRITERIA_FILE, "", f"no control covers {listed} (map at least one control to each)"
        )
