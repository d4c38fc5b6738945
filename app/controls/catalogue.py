"""The control catalogue: the eleven controls, loaded from `resources/controls/`.

The dataclasses below are the contract the engine, UI and binder use. The loader
(and its validation) is filled in by the catalogue work.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = ("network", "logging", "encryption", "identity", "resilience")
FRAMEWORKS = {"iso27001": "ISO 27001:2022", "soc2": "SOC 2"}


@dataclass(frozen=True)
class CheckSpec:
    """An automated check: its stable id and what a PASS proves."""

    id: str
    title: str
    proves: str


@dataclass(frozen=True)
class ManualEvidence:
    """Evidence no API can give (a restore-test record, a procedure)."""

    id: str
    title: str
    description: str


@dataclass(frozen=True)
class RemediationStep:
    title: str
    text: str
    # Optional copyable snippet and its language ("bash", "json", "yaml").
    snippet: str = ""
    snippet_language: str = ""


@dataclass(frozen=True)
class Mapping:
    iso27001: tuple[str, ...]  # e.g. ("A.8.20", "A.5.14")
    soc2: tuple[str, ...]  # e.g. ("CC6.6",)
    scf: tuple[str, ...]  # e.g. ("NET-04", "NET-04.1")


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


@dataclass(frozen=True)
class Catalogue:
    controls: tuple[Control, ...]

    def get(self, control_id: str) -> Control:
        for control in self.controls:
            if control.id == control_id:
                return control
        raise KeyError(control_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.controls)
