"""The Statement of Applicability, the SOC 2 criteria and the manual controls' sections,
read back from the PDF as an auditor would."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.services import soa
from app.services.soa_model import DecisionChange
from app.store.attachments import add_attachment
from app.store.database import Database
from app.store.engagements import find_engagement
from app.store.models import Engagement
from app.store.signoffs import sign_off
from tests.report.conftest import Built, build
from tests.report.populate import HOSTILE, Spec, png_bytes

SMALL = Spec(results_per_check=1, images=0, corrupt_image=False, text_file=False, two_scans=False)
EXCLUSION = "No development is outsourced; revisit before engaging a supplier."
HOSTILE_OWNER = "<b>R&D</b> a<b team"
HOSTILE_REVIEWER = "Ana <i>Lima</i> & Co"
SIGNER = "Rui Signer"
ISO_TITLE = "2  ISO 27001:2022 Statement of Applicability"
SOC2_TITLE = "3  SOC 2 criteria"


def _with_engagement(step: Callable[..., None], catalogue: Catalogue) -> Callable[[Database], None]:
    def run(database: Database) -> None:
        with database.session() as session:
            engagement = find_engagement(session, "Acme 2026")
            assert engagement is not None
            step(session, engagement, catalogue)

    return run


def _decide_all(session: Session, engagement: Engagement, catalogue: Catalogue) -> None:
    ids = [c.id for c in catalogue.criteria_of("iso27001")]
    everything = DecisionChange(applies=True, reason="risk-treatment", owner="Priya")
    soa.decide(session, engagement, catalogue, ids, everything, actor="t")
    hostile = DecisionChange(reason="legal", justification=HOSTILE, owner=HOSTILE_OWNER)
    soa.decide(session, engagement, catalogue, ["A.5.34"], hostile, actor="t")
    excluded = DecisionChange(applies=False, justification=EXCLUSION)
    soa.decide(session, engagement, catalogue, ["A.8.30"], excluded, actor="t")


def _approve(session: Session, engagement: Engagement, catalogue: Catalogue) -> None:
    soa.approve(session, engagement, catalogue, reviewer=HOSTILE_REVIEWER, role="CISO")


def _manual_evidence(session: Session, engagement: Engagement, catalogue: Catalogue) -> None:
    """security-policies complete (an image, a CSV) and signed off; the AWS report on
    aws-data-centres."""
    items = catalogue.get("security-policies").manual_evidence
    for index, item in enumerate(items):
        name, content = (
            ("policy-page.png", png_bytes(9)) if index == 0 else (f"{item.id}.csv", b"a,b\n1,2\n")
        )
        add_attachment(
            session,
            engagement,
            "security-policies",
            name=name,
            content=content,
            actor="tester",
            evidence_item=item.id,
        )
    sign_off(session, engagement, "security-policies", reviewer=SIGNER, role="Head of Security")
    report = catalogue.get("aws-data-centres").manual_evidence[0]
    add_attachment(
        session,
        engagement,
        "aws-data-centres",
        name="aws-soc2-type2.pdf",
        content=b"%PDF-1.7 a provider report",
        actor="tester",
        evidence_item=report.id,
    )


def _binder(
    factory: pytest.TempPathFactory, catalogue: Catalogue, name: str, *steps: Callable[..., None]
) -> Built:
    def after(database: Database) -> None:
        for step in steps:
            _with_engagement(step, catalogue)(database)

    return build(factory.mktemp(name), SMALL, catalogue, after=after)


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Built:
    """Every row decided, version 1 approved; SOC 2 availability and privacy chosen."""

    def scope(session: Session, engagement: Engagement, _: Catalogue) -> None:
        categories = ["availability", "privacy"]
        soa.set_soc2_scope(session, engagement, categories, actor="t")

    steps = (_decide_all, scope, _manual_evidence, _approve)
    return _binder(tmp_path_factory, catalogue, "approved", *steps)


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Built:
    return _binder(tmp_path_factory, catalogue, "decided", _decide_all)


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Built:
    def change(session: Session, engagement: Engagement, catalogue: Catalogue) -> None:
        new_owner = DecisionChange(owner="Someone else")
        soa.decide(session, engagement, catalogue, ["A.5.1"], new_owner, actor="t")

    return _binder(tmp_path_factory, catalogue, "changed", _decide_all, _approve, change)


def _pages(built: Built, section: str) -> list[int]:
    """0-based indexes of the pages of one top-level section (by the bookmarks)."""
    top = [
        (item.title, built.reader.get_destination_page_number(item))
        for item in built.reader.outline
        if not isinstance(item, list)
    ]
    for (title, start), (_, end) in pairwise(top):
        if title == section:
            return list(range(start, end))
    raise AssertionError(f"no section {section!r}")


def _text(built: Built, pages: list[int]) -> str:
    return re.sub(r"\s+", " ", "\n".join(built.pages[i] for i in pages))


def _control_pages(built: Built, control_id: str) -> list[int]:
    """The pages of one control's section (from its facts table to the next one's)."""
    marks = [i for i, page in enumerate(built.pages) if "Control id" in page]
    start = next(i for i in marks if f"Control id {control_id}" in _text(built, [i]))
    end = next((i for i in marks if i > start), start + 1)
    return list(range(start, end))


def _drafted(built: Built) -> list[int]:
    return [index for index, page in enumerate(built.pages) if "DRAFT" in page]


def test_every_annex_a_control_is_in_the_soa(standard: Built, catalogue: Catalogue) -> None:
    text = _text(standard, _pages(standard, ISO_TITLE))
    ids = [c.id for c in catalogue.criteria_of("iso27001")]
    assert len(ids) == 93
    missing = [i for i in ids if not re.search(rf"(?<![A-Z]){re.escape(i)}(?!\d)", text)]
    assert missing == []
    for theme in ("Organizational controls (A.5)", "Technological controls (A.8)"):
        assert theme in text


def test_undecided_rows_make_the_soa_a_draft_on_the_cover_and_every_soa_page(
    standard: Built,
) -> None:
    soa_pages = _pages(standard, ISO_TITLE)
    summary = _pages(standard, "1  Summary")
    # The cover, the summary's line on the SoA, and every page of the SoA: no others.
    assert _drafted(standard) == [0, summary[0], *soa_pages]
    for index in soa_pages:
        assert "93 of 93 Annex A controls undecided; not approved" in standard.pages[index]
    assert "93 of 93 Annex A controls undecided" in standard.pages[0]


def test_decided_but_not_approved_is_still_a_draft(decided: Built) -> None:
    soa_pages = _pages(decided, ISO_TITLE)
    assert soa_pages and set(soa_pages) <= set(_drafted(decided))
    assert 0 in _drafted(decided)
    first = re.sub(r"\s+", " ", decided.pages[soa_pages[0]])
    assert "DRAFT — SoA version 1: not approved" in first
    assert "undecided" not in decided.words
    assert "93 of 93 decided (1 excluded)" in decided.words


def test_a_decision_changed_after_approval_makes_it_a_draft_again(changed: Built) -> None:
    soa_pages = _pages(changed, ISO_TITLE)
    assert set(soa_pages) <= set(_drafted(changed)) and 0 in _drafted(changed)
    text = _text(changed, soa_pages)
    assert "SoA version 2: decisions changed since version 1 was approved" in text
    assert "Version 2 (draft)" in text
    assert "decisions changed since" in text  # the state of approval 1 in its table
    cover = re.sub(r"\s+", " ", changed.pages[0])
    assert "DRAFT" in cover and "changed since version 1 was approved" in cover


def test_a_complete_approved_soa_has_no_draft_anywhere(approved: Built) -> None:
    assert _drafted(approved) == []
    cover = re.sub(r"\s+", " ", approved.pages[0])
    assert f"Approved: version 1 by {HOSTILE_REVIEWER} (CISO)" in cover
    text = _text(approved, _pages(approved, ISO_TITLE))
    assert "93 of 93 decided (1 excluded)" in text
    assert f"Excluded: {EXCLUSION}" in text
    assert "Legal or regulatory" in text and "Risk treatment" in text


def test_hostile_decision_text_is_shown_literally(approved: Built) -> None:
    text = _text(approved, _pages(approved, ISO_TITLE))
    assert "<script>alert(1)</script> a<b R&D" in text  # the justification
    flat = text.replace(" ", "")  # a narrow column wraps the owner's name
    assert HOSTILE_OWNER.replace(" ", "") in flat
    assert HOSTILE_REVIEWER.replace(" ", "") in flat
    assert "&lt;" not in approved.words and "&amp;" not in approved.words


def test_soc2_lists_the_chosen_categories_only(approved: Built, catalogue: Catalogue) -> None:
    text = _text(approved, _pages(approved, SOC2_TITLE))
    chosen = {"security", "availability", "privacy"}
    for criterion in catalogue.criteria_of("soc2"):
        shown = re.search(rf"(?<![A-Z]){re.escape(criterion.id)}(?!\d)", text) is not None
        assert shown == (criterion.category in chosen), criterion.id
    assert "Not in its scope: Confidentiality, Processing integrity" in text
    assert "Availability (3 criteria)" in text and "Privacy (18 criteria)" in text


def test_soa_rows_link_to_the_controls_behind_them(approved: Built) -> None:
    soa_pages = _pages(approved, ISO_TITLE)
    targets = {
        annotation.get_object()["/Dest"][0] if "/Dest" in annotation.get_object() else None
        for index in soa_pages
        for annotation in approved.reader.pages[index].get("/Annots", []) or []
    }
    assert len(targets - {None}) > 20  # links into many control sections
    text = _text(approved, soa_pages)
    assert re.search(r"§4\.\d+ security-policies: signed off \(3 of 3 items, 3 files\)", text)


def test_a_manual_control_shows_its_evidence_item_by_item_and_its_sign_off(
    approved: Built, catalogue: Catalogue
) -> None:
    pages = _control_pages(approved, "security-policies")
    text = _text(approved, pages)
    control = catalogue.get("security-policies")
    assert "Manual: no automated check" in text and "Status Signed off" in text
    assert "What to do" in text and control.remediation[0].title in text
    for item in control.manual_evidence:
        assert f"{item.title}: 1 file attached" in text
    assert "policy-page.png" in text and "a,b" not in text
    assert SIGNER in text and "Head of Security" in text and "Current" in text
    images = [
        name
        for index in pages
        for name in approved.reader.pages[index].get("/Resources", {}).get("/XObject", {}) or {}
    ]
    assert images, "the image evidence is shown"


def test_an_inherited_control_says_what_the_provider_carries_and_shows_its_report(
    approved: Built,
) -> None:
    text = _text(approved, _control_pages(approved, "aws-data-centres"))
    assert "Inherited from AWS" in text and "AWS Artifact" in text
    assert "Attached so far: aws-soc2-type2.pdf" in text
    assert "nothing attached yet" in text  # the certificate is still missing


def test_the_summary_counts_manual_controls_by_their_evidence(
    standard: Built, catalogue: Catalogue
) -> None:
    summary = _text(standard, _pages(standard, "1  Summary"))
    manual = [c for c in catalogue.controls if not c.automated]
    # No manual control is "not checked": none has files in the standard binder.
    assert "Not checked (no scan) 0 0" in summary
    assert re.search(r"Evidence missing (\d+) (\d+)", summary)
    missing = int(re.search(r"Evidence missing (\d+)", summary).group(1))  # type: ignore[union-attr]
    assert 0 < missing <= len(manual)


def test_no_soa_when_iso_is_not_chosen(tmp_path: Path, catalogue: Catalogue) -> None:
    def soc2_only(session: Session, engagement: Engagement, _: Catalogue) -> None:
        from app.store.engagements import update_engagement

        update_engagement(session, engagement, actor="t", frameworks=["soc2"])

    built = build(tmp_path, SMALL, catalogue, after=_with_engagement(soc2_only, catalogue))
    top = [item.title for item in built.reader.outline if not isinstance(item, list)]
    assert ISO_TITLE not in top and "2  SOC 2 criteria" in top
    assert "Statement of Applicability" not in built.pages[0]
    assert _drafted(built) == []
