"""The checklist's order and its kind filter, without Qt.

The checklist lists the controls by family (`FAMILIES` order), each family in
catalogue order. The kind filter shows every control, only the automated ones (live
checks), only the manual ones (evidence you add; the inherited ones are manual too),
or only those inherited from the cloud provider. Next / previous on the control page
walk the same order with the same filter (`neighbour`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.controls.catalogue import FAMILY_TITLES, Catalogue, Control


class ControlKind(StrEnum):
    ALL = "all"
    AUTOMATED = "automated"
    MANUAL = "manual"
    INHERITED = "inherited"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    def matches(self, control: Control) -> bool:
        if self is ControlKind.AUTOMATED:
            return control.automated
        if self is ControlKind.MANUAL:
            return not control.automated
        if self is ControlKind.INHERITED:
            return control.inherited is not None
        return True


_KIND_LABELS = {
    ControlKind.ALL: "All controls",
    ControlKind.AUTOMATED: "Automated (live checks)",
    ControlKind.MANUAL: "Manual (evidence you add)",
    ControlKind.INHERITED: "Inherited from the cloud provider",
}


def kind_words(control: Control) -> str:
    """ "automated", "manual" or "manual, inherited from AWS": what the checklist says."""
    if control.automated:
        return "automated"
    if control.inherited is not None:
        return f"manual, inherited from {control.inherited.provider}"
    return "manual"


@dataclass(frozen=True)
class ChecklistGroup:
    family: str
    title: str
    controls: tuple[Control, ...]


def checklist_groups(catalogue: Catalogue, kind: ControlKind) -> list[ChecklistGroup]:
    """The families with at least one control of `kind`, in the checklist's order."""
    groups = []
    for family, controls in catalogue.by_family():
        shown = tuple(c for c in controls if kind.matches(c))
        if shown:
            groups.append(ChecklistGroup(family, FAMILY_TITLES.get(family, family), shown))
    return groups


def checklist_order(catalogue: Catalogue, kind: ControlKind) -> list[str]:
    """The ids the checklist shows, top to bottom."""
    return [c.id for group in checklist_groups(catalogue, kind) for c in group.controls]


def neighbour(order: Sequence[str], current: str | None, step: int) -> str | None:
    """The control `step` places after (or, negative, before) `current` in `order`.

    None past either end. When `current` is not in `order` (filtered out, or none), the
    first control is next and the last one previous.
    """
    if not order or step == 0:
        return None
    if current not in order:
        return order[0] if step > 0 else order[-1]
    index = order.index(current) + step
    return order[index] if 0 <= index < len(order) else None
