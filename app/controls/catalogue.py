"""The control catalogue: the eleven controls, loaded from `resources/controls/`.

The dataclasses below are the contract the engine, UI and binder use. The data lives in
one TOML file per control (`<control-id>.toml`) plus `criteria.toml` (short titles, in
our own words, of the ISO 27001 and SOC 2 criteria the controls map to). The reading and
validation rules are in `app/controls/catalogue_loader.py`; `load_catalogue` is
re-exported here so callers import one module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAMILIES = ("network", "logging", "encryption", "identity", "resilience")
FAMILY_TITLES = {
    "network": "Network",
    "logging": "Logging and monitoring",
    "encryption": "Encryption",
    "identity": "Identity and access",
    "resilience": "Resilience and recovery",
}
FRAMEWORKS = {"iso27001": "ISO 27001:2022", "soc2": "SOC 2"}
# The mapping also names Secure Controls Framework ids (the article's cross-reference).
MAPPING_FRAMEWORKS = {**FRAMEWORKS, "scf": "SCF"}

# The article's order: the order of the catalogue, the CLI, the UI and the binder.
CONTROL_IDS = (
    "default-vpcs",
    "vpc-flow-logs",
    "cloudtrail",
    "encryption-at-rest",
    "no-iam-access-keys",
    "no-ssh",
    "sg-inbound",
    "nacls",
    "deletion-protection",
    "least-privilege",
    "backups",
)


@dataclass(frozen=True)
class CheckSpec:
    """An automated check: its stable id and what a PASS proves."""

    id: str
    title: str
    proves: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "proves": self.proves}


@dataclass(frozen=True)
class ManualEvidence:
    """Evidence no API can give (a restore-test record, a procedure)."""

    id: str
    title: str
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "description": self.description}


@dataclass(frozen=True)
class RemediationStep:
    title: str
    text: str
    # Optional copyable snippet and its language ("bash", "json", "yaml", "sql").
    snippet: str = ""
    snippet_language: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "snippet": self.snippet,
            "snippet_language": self.snippet_language,
        }


@dataclass(frozen=True)
class Mapping:
    iso27001: tuple[str, ...]  # e.g. ("A.8.20", "A.5.14")
    soc2: tuple[str, ...]  # e.g. ("CC6.6",)
    scf: tuple[str, ...]  # e.g. ("NET-04", "NET-04.1")
    # A remark on the mapping itself (e.g. where we corrected the article's SCF id).
    note: str = ""

    def ids(self, framework: str) -> tuple[str, ...]:
        """The criteria of one framework ("iso27001", "soc2" or "scf")."""
        if framework not in MAPPING_FRAMEWORKS:
            raise KeyError(framework)
        ids: tuple[str, ...] = getattr(self, framework)
        return ids

    def to_json(self) -> dict[str, Any]:
        return {
            "iso27001": list(self.iso27001),
            "soc2": list(self.soc2),
            "scf": list(self.scf),
            "note": self.note,
        }


@dataclass(frozen=True)
class Control:
    id: str  # stable slug, e.g. "default-vpcs"
    title: str
    family: str  # one of FAMILIES
    summary: str
    why: str
    mapping: Mapping
    checks: tuple[CheckSpec, ...]
    manual_evidence: tuple[ManualEvidence, ...]
    remediation: tuple[RemediationStep, ...]
    # The article section the control comes from (provenance for the binder).
    source: str = ""

    @property
    def check_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "family": self.family,
            "summary": self.summary,
            "why": self.why,
            "source": self.source,
            "mapping": self.mapping.to_json(),
            "checks": [c.to_json() for c in self.checks],
            "manual_evidence": [m.to_json() for m in self.manual_evidence],
            "remediation": [r.to_json() for r in self.remediation],
        }


@dataclass(frozen=True)
class Criterion:
    """One ISO 27001 Annex A control or SOC 2 criterion: its id and a short title."""

    framework: str  # a FRAMEWORKS key
    id: str
    title: str  # our own words, never the standard's text


@dataclass(frozen=True)
class Catalogue:
    controls: tuple[Control, ...]
    criteria: tuple[Criterion, ...] = ()

    def get(self, control_id: str) -> Control:
        for control in self.controls:
            if control.id == control_id:
                return control
        raise KeyError(control_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.controls)

    def by_family(self) -> tuple[tuple[str, tuple[Control, ...]], ...]:
        """(family, controls) in FAMILIES order, each in catalogue order; empty ones left out."""
        groups = ((f, tuple(c for c in self.controls if c.family == f)) for f in FAMILIES)
        return tuple((family, controls) for family, controls in groups if controls)

    def find_check(self, check_id: str) -> tuple[Control, CheckSpec]:
        """The control owning an automated check, and the check's spec."""
        for control in self.controls:
            for check in control.checks:
                if check.id == check_id:
                    return control, check
        raise KeyError(check_id)

    def criterion_title(self, framework: str, criterion_id: str) -> str:
        """Short title of e.g. ("iso27001", "A.8.20"); KeyError when the catalogue has none."""
        for criterion in self.criteria:
            if criterion.framework == framework and criterion.id == criterion_id:
                return criterion.title
        raise KeyError(f"{framework} {criterion_id}")

    def criteria_of(self, framework: str) -> tuple[Criterion, ...]:
        """The criteria of one framework the controls map to, in criteria.toml order."""
        return tuple(c for c in self.criteria if c.framework == framework)

    def controls_for(self, framework: str, criterion_id: str) -> tuple[Control, ...]:
        """The controls mapped to one criterion (a Statement of Applicability row)."""
        return tuple(c for c in self.controls if criterion_id in c.mapping.ids(framework))


class CatalogueError(Exception):
    """A catalogue file that cannot be used: names the file and the field at fault."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}")


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Read and validate the catalogue (default: the bundled `resources/controls/`)."""
    from app.controls.catalogue_loader import read_catalogue

    return read_catalogue(directory)
