"""A manual control's section: no scan judges it, so it rests on evidence and sign-off.

Summary and why, what the cloud provider carries (inherited controls) and where its
report is, what to do, each evidence item asked for with the files attached against
it, notes, exceptions and sign-off. `control_facts` is shared with the automated
controls' sections.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from app.report.kit import Kit
from app.report.model import ControlSection
from app.report.story_evidence import exceptions, manual_evidence, notes, sign_offs
from app.report.templates import FRAME_WIDTH

MANUAL_CONTROL = (
    "Manual: no automated check. It rests on the evidence below and a reviewer's sign-off."
)


def kind_label(section: ControlSection) -> str:
    """One word: Automated, Manual or Inherited (manual, carried in part by the provider)."""
    control = section.control
    if control.automated:
        return "Automated"
    return "Inherited" if control.inherited is not None else "Manual"


def kind_text(section: ControlSection) -> str:
    control = section.control
    if control.automated:
        count = len(control.checks)
        return f"Automated: {count} check{'s' if count != 1 else ''} run against AWS, read-only."
    if control.inherited is not None:
        return (
            f"Inherited from {control.inherited.provider} in part. {MANUAL_CONTROL} The "
            "provider's own report is part of that evidence."
        )
    return MANUAL_CONTROL


def control_facts(section: ControlSection) -> list[tuple[str, object]]:
    """The facts table's rows: id, kind, status, applicability, mapping, owner."""
    m = section.control.mapping
    applicability = (
        "In scope"
        if section.applicable
        else f"Not applicable: {section.applicability_reason or 'no reason given'}"
    )
    return [
        ("Control id", section.control.id),
        ("Kind", kind_text(section)),
        ("Status", section.status_label),
        ("Applicability", applicability),
        ("ISO 27001:2022", ", ".join(m.iso27001) or "—"),
        ("SOC 2", ", ".join(m.soc2) or "—"),
        ("SCF", ", ".join(m.scf) or "—"),
        ("Owner", section.owner or "—"),
    ]


def facts_table(kit: Kit, section: ControlSection) -> Table:
    return kit.facts(control_facts(section), (35 * mm, FRAME_WIDTH - 35 * mm))


def requirement(kit: Kit, section: ControlSection) -> list[Flowable]:
    """What the control asks, why it matters, and what the cloud provider carries."""
    s = kit.styles
    c = section.control
    story: list[Flowable] = [kit.rich("<b>Requirement</b>", s.h3), kit.para(c.summary)]
    if c.why:
        story.append(kit.rich("<b>Why it matters</b>", s.small))
        story.append(kit.para(c.why, s.small))
    inherited = c.inherited
    if inherited is None:
        return story
    story.append(
        kit.heading(
            "", f"Inherited from {inherited.provider}", key=f"{section.anchor}-inherited", level=3
        )
    )
    story.append(
        kit.rich(
            f"<b>What {kit.esc(inherited.provider)} carries, and what stays with the company</b>",
            s.small,
        )
    )
    story.append(kit.para(inherited.scope, s.small))
    story.append(kit.rich("<b>Where to get the provider's own report</b>", s.small))
    story.append(kit.para(inherited.report, s.small))
    attached = [a for a in section.attachments if a.evidence_item]
    if attached:
        names = ", ".join(a.name for a in attached)
        story.append(
            kit.para(
                f"Attached so far: {names} (each with its SHA-256 under Manual evidence below).",
                s.small,
            )
        )
    else:
        story.append(
            kit.para(
                "No provider report is attached yet: download it as described above and "
                "attach it to this control.",
                s.small,
            )
        )
    return story


def what_to_do(kit: Kit, section: ControlSection) -> list[Flowable]:
    s = kit.styles
    steps = section.control.remediation
    story: list[Flowable] = [kit.heading("", "What to do", key=f"{section.anchor}-todo", level=3)]
    if not steps:
        story.append(kit.para("The catalogue gives no steps for this control.", s.muted))
    for number, step in enumerate(steps, start=1):
        story.append(kit.para(f"{number}. {step.title}", s.cell_bold))
        story.append(kit.para(step.text, s.small))
    return story


def manual_control(kit: Kit, section: ControlSection) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [
        kit.heading(
            section.number,
            section.control.title,
            key=section.anchor,
            level=2,
            in_toc=True,
            style=s.h2,
        ),
        facts_table(kit, section),
    ]
    story += requirement(kit, section)
    story += what_to_do(kit, section)
    story += manual_evidence(kit, section)
    story += notes(kit, section)
    story += exceptions(kit, section)
    story += sign_offs(kit, section)
    return story
