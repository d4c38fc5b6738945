"""The control catalogue: automated and manual controls, loaded from `resources/controls/`.

The dataclasses below are the contract the engine, UI and binder use. The data lives in
one TOML file per control (`<control-id>.toml`) plus `criteria.toml` (short titles, in
our own words, of every ISO 27001:2022 Annex A control and SOC 2 criterion). The
reading and validation rules are in `app/controls/catalogue_loader.py`; `load_catalogue`
is re-exported here so callers import one module.

Automated controls have checks in `app/controls/checks/` and come first, in
`CONTROL_IDS` order. Manual controls have no checks (they rest on the evidence people
add) and follow, by family, then by their optional `order`, then by id.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import paths
from app.recurrence import Recurrence

FAMILY_TITLES = {
    "network": "Network",
    "logging": "Logging and monitoring",
    "encryption": "Encryption",
    "identity": "Identity and access",
    "resilience": "Resilience and recovery",
    "governance": "Policies and organisation",
    "people": "People",
    "physical": "Physical",
    "suppliers": "Suppliers",
    "incidents": "Incidents and continuity",
    "development": "Development",
    "operations": "Operations",
}
FAMILIES = tuple(FAMILY_TITLES)
FRAMEWORKS = {"iso27001": "ISO 27001:2022", "soc2": "SOC 2"}
# The mapping also names Secure Controls Framework ids (the article's cross-reference).
MAPPING_FRAMEWORKS = {**FRAMEWORKS, "scf": "SCF"}

# The automated controls (checks in app/controls/checks): the article's eleven in its
# order, then the six every AWS auditor asks about first. Their order is that of the
# catalogue, the CLI, the UI and the binder. Manual controls follow.
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
    "root-account",
    "console-mfa",
    "password-policy",
    "threat-detection",
    "s3-public-access",
    "config-recording",
)
# Kept for automated controls still to come: no manual control may take these ids.
RESERVED_CONTROL_IDS: tuple[str, ...] = ()

SOC2_CATEGORIES = {
    "security": "Security",
    "availability": "Availability",
    "confidentiality": "Confidentiality",
    "processing-integrity": "Processing integrity",
    "privacy": "Privacy",
}
# A SOC 2 id's category follows from its letters: CC1.1 security, PI1.2 processing...
_SOC2_CATEGORY_BY_PREFIX = {
    "CC": "security",
    "A": "availability",
    "C": "confidentiality",
    "PI": "processing-integrity",
    "P": "privacy",
}
_ISO_THEMES = {"A.5": "organizational", "A.6": "people", "A.7": "physical", "A.8": "technological"}
THEME_TITLES = {
    "organizational": "Organizational controls (A.5)",
    "people": "People controls (A.6)",
    "physical": "Physical controls (A.7)",
    "technological": "Technological controls (A.8)",
    "CC1": "CC1 Control environment",
    "CC2": "CC2 Information and communication",
    "CC3": "CC3 Risk assessment",
    "CC4": "CC4 Monitoring of controls",
    "CC5": "CC5 Control activities",
    "CC6": "CC6 Logical and physical access",
    "CC7": "CC7 System operations",
    "CC8": "CC8 Change management",
    "CC9": "CC9 Risk mitigation",
    "A1": "A1 Availability",
    "C1": "C1 Confidentiality",
    "PI1": "PI1 Processing integrity",
    "P1": "P1 Notice",
    "P2": "P2 Choice and consent",
    "P3": "P3 Collection",
    "P4": "P4 Use, retention and disposal",
    "P5": "P5 Access by data subjects",
    "P6": "P6 Disclosure and notification",
    "P7": "P7 Quality",
    "P8": "P8 Monitoring and enforcement",
}


def _numbered(series: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    return tuple(f"{prefix}.{n}" for prefix, count in series for n in range(1, count + 1))


# Every ISO/IEC 27001:2022 Annex A control (93) and SOC 2 (2017) criterion (61), in the
# standards' order: criteria.toml must give a title to exactly these.
ISO27001_IDS = _numbered((("A.5", 37), ("A.6", 8), ("A.7", 14), ("A.8", 34)))
SOC2_IDS = _numbered(
    (
        *(("CC1", 5), ("CC2", 3), ("CC3", 4), ("CC4", 2), ("CC5", 3), ("CC6", 8), ("CC7", 5)),
        *(("CC8", 1), ("CC9", 2), ("A1", 3), ("C1", 2), ("PI1", 5), ("P1", 1), ("P2", 1)),
        *(("P3", 2), ("P4", 3), ("P5", 2), ("P6", 7), ("P7", 1), ("P8", 1)),
    )
)
CRITERION_IDS = {"iso27001": ISO27001_IDS, "soc2": SOC2_IDS}


def soc2_category(criterion_id: str) -> str:
    """The SOC2_CATEGORIES key of a SOC 2 id ("CC6.1" -> "security")."""
    letters = re.match(r"[A-Z]*", criterion_id)
    return _SOC2_CATEGORY_BY_PREFIX[letters.group() if letters else ""]


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
    # How often it is asked for again by default (an engagement can change it); None:
    # once, with no due date.
    recurrence: Recurrence | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "recurrence": self.recurrence.value if self.recurrence else None,
        }


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
class Inherited:
    """A control the cloud provider carries, in part or whole (AWS's data centres)."""

    provider: str  # e.g. "AWS"
    scope: str  # what the provider carries, and what stays with the company
    report: str  # where to get the provider's own report to attach as evidence

    def to_json(self) -> dict[str, Any]:
        return {"provider": self.provider, "scope": self.scope, "report": self.report}


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
    inherited: Inherited | None = None

    @property
    def check_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.checks)

    @property
    def automated(self) -> bool:
        """Has automated checks (a scan can judge it); manual controls rest on evidence."""
        return bool(self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "family": self.family,
            "automated": self.automated,
            "inherited": self.inherited.to_json() if self.inherited else None,
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
    category: str = ""  # SOC 2: a SOC2_CATEGORIES key; ISO 27001: ""

    @property
    def theme(self) -> str:
        """The THEME_TITLES key: ISO "organizational".."technological", SOC 2 "CC1".."P8"."""
        if self.framework == "iso27001":
            return _ISO_THEMES[self.id.rsplit(".", 1)[0]]
        return self.id.split(".", 1)[0]


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

    @property
    def automated_ids(self) -> tuple[str, ...]:
        """The controls a scan can check, in catalogue order."""
        return tuple(c.id for c in self.controls if c.automated)

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

    def criterion(self, framework: str, criterion_id: str) -> Criterion:
        """E.g. ("iso27001", "A.8.20"); KeyError for an id the framework does not have."""
        for criterion in self.criteria:
            if criterion.framework == framework and criterion.id == criterion_id:
                return criterion
        raise KeyError(f"{framework} {criterion_id}")

    def criterion_title(self, framework: str, criterion_id: str) -> str:
        """Short title of e.g. ("iso27001", "A.8.20"); KeyError when the catalogue has none."""
        return self.criterion(framework, criterion_id).title

    def criteria_of(self, framework: str) -> tuple[Criterion, ...]:
        """Every criterion of one framework (93 ISO, 61 SOC 2), in the standard's order."""
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
    """Read and validate the catalogue (default: the bundled `resources/controls/`, read
    once per process: the installed files do not change while the app runs, and reading
    and checking them all takes ~70 ms)."""
    from app.controls.catalogue_loader import read_catalogue

    if directory is None:
        return _installed(paths.resources_dir() / "controls")
    return read_catalogue(directory)


@functools.cache
def _installed(directory: Path) -> Catalogue:
    from app.controls.catalogue_loader import read_catalogue

    return read_catalogue(directory)
