"""Reading `resources/controls/*.toml` into a `Catalogue`, strictly.

Every problem is a `CatalogueError` naming the file and the field
(`nacls.toml: checks[0].id: missing`), so whoever edits the data sees what to fix
instead of a KeyError deep inside the UI or the binder.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from app import paths
from app.controls.catalogue import (
    CONTROL_IDS,
    FAMILIES,
    FRAMEWORKS,
    Catalogue,
    CatalogueError,
    CheckSpec,
    Control,
    Criterion,
    ManualEvidence,
    Mapping,
    RemediationStep,
)

CRITERIA_FILE = "criteria.toml"
SNIPPET_LANGUAGES = ("bash", "json", "yaml", "sql")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Shapes of the ids each framework uses; catches typos such as "A8.20" or "CC66".
_CRITERION_ID = {
    "iso27001": re.compile(r"^A\.[5-8]\.\d{1,2}$"),
    "soc2": re.compile(r"^(?:CC[1-9]\.\d|A1\.\d|C1\.\d|PI1\.\d|P[1-8]\.\d)$"),
    "scf": re.compile(r"^[A-Z]{3}-\d{2}(?:\.\d{1,2})?$"),
}

T = TypeVar("T")


class _Table:
    """One TOML table being read: remembers the file and the path to it for messages."""

    def __init__(self, file: str, path: str, data: dict[str, Any]) -> None:
        self.file = file
        self.path = path
        self.data = data

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> CatalogueError:
        return CatalogueError(self.file, self.where(key), problem)

    def expect_keys(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        allowed = required + optional
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, f"unknown key (expected {', '.join(allowed)})")
        for key in required:
            if key not in self.data:
                raise self.fail(key, "missing")

    def text(self, key: str, *, optional: bool = False) -> str:
        value = self.data.get(key, "" if optional else None)
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, not {_type_name(value)}")
        value = value.strip()
        if not value and not optional:
            raise self.fail(key, "must not be empty")
        return value

    def slug(self, key: str) -> str:
        value = self.text(key)
        if not _SLUG.match(value):
            raise self.fail(key, f"{value!r} is not a lower-case slug like 'sg-no-ssh'")
        return value

    def strings(self, key: str, check: Callable[[str, str], str | None]) -> tuple[str, ...]:
        values = self.data.get(key)
        if not isinstance(values, list):
            raise self.fail(key, f"must be a list of strings, not {_type_name(values)}")
        if not values:
            raise self.fail(key, "must not be empty")
        seen: set[str] = set()
        for index, value in enumerate(values):
            where = f"{key}[{index}]"
            if not isinstance(value, str):
                raise self.fail(where, f"must be a string, not {_type_name(value)}")
            problem = check(key, value)
            if problem:
                raise self.fail(where, problem)
            if value in seen:
                raise self.fail(where, f"{value!r} is listed twice")
            seen.add(value)
        return tuple(values)

    def table(self, key: str) -> _Table:
        value = self.data.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {_type_name(value)}")
        return _Table(self.file, self.where(key), value)

    def tables(self, key: str, read: Callable[[_Table], T]) -> tuple[T, ...]:
        values = self.data.get(key)
        if not isinstance(values, list):
            raise self.fail(
                key, f"must be an array of tables ([[{key}]]), not {_type_name(values)}"
            )
        items: list[T] = []
        for index, value in enumerate(values):
            if not isinstance(value, dict):
                raise self.fail(f"{key}[{index}]", f"must be a table, not {_type_name(value)}")
            items.append(read(_Table(self.file, self.where(f"{key}[{index}]"), value)))
        return tuple(items)


def _type_name(value: object) -> str:
    if value is None:
        return "nothing"
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def read_catalogue(directory: Path | None = None) -> Catalogue:
    """The whole catalogue from `directory` (default: the bundled `resources/controls`)."""
    directory = directory if directory is not None else paths.resources_dir() / "controls"
    if not directory.is_dir():
        raise CatalogueError(str(directory), "", "the control catalogue folder does not exist")
    expected = {f"{control_id}.toml" for control_id in CONTROL_IDS} | {CRITERIA_FILE}
    for stray in sorted(p.name for p in directory.glob("*.toml")):
        if stray not in expected:
            raise CatalogueError(stray, "", f"not a control of the catalogue ({_ids_hint()})")
    controls = tuple(_read_control(directory, control_id) for control_id in CONTROL_IDS)
    _check_unique_check_ids(controls)
    criteria = _read_criteria(directory, controls)
    return Catalogue(controls=controls, criteria=criteria)


def _ids_hint() -> str:
    return "expected one file per control: " + ", ".join(f"{c}.toml" for c in CONTROL_IDS)


def _parse(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogueError(name, "", "missing from the catalogue folder") from None
    except OSError as error:
        raise CatalogueError(name, "", f"cannot be read: {error.strerror}") from error
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CatalogueError(name, "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(name, "", f"invalid TOML: {error}") from error


def _read_control(directory: Path, control_id: str) -> Control:
    name = f"{control_id}.toml"
    top = _Table(name, "", _parse(directory, name))
    top.expect_keys(
        ("id", "title", "family", "summary", "why", "mapping", "remediation"),
        ("source", "checks", "manual_evidence"),
    )
    if top.slug("id") != control_id:
        raise top.fail("id", f"{top.data['id']!r} does not match the file name ({control_id})")
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
    return Control(
        id=control_id,
        title=top.text("title"),
        family=family,
        summary=top.text("summary"),
        why=top.text("why"),
        source=top.text("source", optional=True),
        mapping=_read_mapping(top.table("mapping")),
        checks=checks,
        manual_evidence=manual,
        remediation=remediation,
    )


def _unique(top: _Table, key: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            raise top.fail(f"{key}[{index}].id", f"{item_id!r} is used twice")
        seen.add(item_id)


def _read_mapping(table: _Table) -> Mapping:
    table.expect_keys(("iso27001", "soc2", "scf"), ("note",))

    def shape(framework: str, value: str) -> str | None:
        if _CRITERION_ID[framework].match(value):
            return None
        return f"{value!r} does not look like a {framework} id"

    return Mapping(
        iso27001=table.strings("iso27001", shape),
        soc2=table.strings("soc2", shape),
        scf=table.strings("scf", shape),
        note=table.text("note", optional=True),
    )


def _read_check(table: _Table) -> CheckSpec:
    table.expect_keys(("id", "title", "proves"))
    return CheckSpec(id=table.slug("id"), title=table.text("title"), proves=table.text("proves"))


def _read_manual(table: _Table) -> ManualEvidence:
    table.expect_keys(("id", "title", "description"))
    return ManualEvidence(
        id=table.slug("id"), title=table.text("title"), description=table.text("description")
    )


def _read_step(table: _Table) -> RemediationStep:
    table.expect_keys(("title", "text"), ("snippet", "snippet_language"))
    snippet = table.data.get("snippet", "")
    if not isinstance(snippet, str):
        raise table.fail("snippet", f"must be a string, not {_type_name(snippet)}")
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


def _read_criteria(directory: Path, controls: tuple[Control, ...]) -> tuple[Criterion, ...]:
    top = _Table(CRITERIA_FILE, "", _parse(directory, CRITERIA_FILE))
    top.expect_keys(tuple(FRAMEWORKS))
    criteria: list[Criterion] = []
    for framework in FRAMEWORKS:
        table = top.table(framework)
        used = {i for c in controls for i in c.mapping.ids(framework)}
        for criterion_id in table.data:
            if not _CRITERION_ID[framework].match(criterion_id):
                raise table.fail(criterion_id, f"does not look like a {framework} id")
            if criterion_id not in used:
                raise table.fail(criterion_id, "not mapped by any control (remove it)")
            criteria.append(Criterion(framework, criterion_id, table.text(criterion_id)))
        for control in controls:
            for index, criterion_id in enumerate(control.mapping.ids(framework)):
                if criterion_id not in table.data:
                    raise CatalogueError(
                        f"{control.id}.toml",
                        f"mapping.{framework}[{index}]",
                        f"{criterion_id!r} has no title in {CRITERIA_FILE}",
                    )
    return tuple(criteria)
