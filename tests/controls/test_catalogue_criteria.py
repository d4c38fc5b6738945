"""criteria.toml: exactly the 93 Annex A controls and 61 SOC 2 criteria, each in its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.controls.catalogue import (
    ISO27001_IDS,
    SOC2_CATEGORIES,
    SOC2_IDS,
    THEME_TITLES,
    Catalogue,
    Criterion,
)
from app.controls.catalogue_criteria import check_coverage, uncovered_criteria
from tests.controls.conftest import edit, error_of


def test_the_canonical_ids(catalogue: Catalogue) -> None:
    assert len(ISO27001_IDS) == len(set(ISO27001_IDS)) == 93
    assert len(SOC2_IDS) == len(set(SOC2_IDS)) == 61
    assert ISO27001_IDS[:2] == ("A.5.1", "A.5.2") and ISO27001_IDS[-1] == "A.8.34"
    assert ISO27001_IDS[37:39] == ("A.6.1", "A.6.2")
    assert [i for i in SOC2_IDS if i.startswith("CC")][-3:] == ["CC8.1", "CC9.1", "CC9.2"]
    assert len([i for i in SOC2_IDS if i.startswith("CC")]) == 33
    assert [i for i in SOC2_IDS if i.startswith("P") and not i.startswith("PI")] == [
        "P1.1", "P2.1", "P3.1", "P3.2", "P4.1", "P4.2", "P4.3", "P5.1", "P5.2",
        "P6.1", "P6.2", "P6.3", "P6.4", "P6.5", "P6.6", "P6.7", "P7.1", "P8.1",
    ]  # fmt: skip


def test_every_criterion_titled_in_the_standards_order(catalogue: Catalogue) -> None:
    assert [c.id for c in catalogue.criteria_of("iso27001")] == list(ISO27001_IDS)
    assert [c.id for c in catalogue.criteria_of("soc2")] == list(SOC2_IDS)
    assert len(catalogue.criteria) == 154
    titles = [c.title for c in catalogue.criteria]
    assert all(5 <= len(title) <= 100 for title in titles)
    assert len(set(titles)) == len(titles)


def test_categories_and_themes(catalogue: Catalogue) -> None:
    by_id = {c.id: c for c in catalogue.criteria_of("soc2")}
    assert by_id["CC6.1"].category == "security" and by_id["CC6.1"].theme == "CC6"
    assert by_id["A1.2"].category == "availability" and by_id["A1.2"].theme == "A1"
    assert by_id["C1.1"].category == "confidentiality"
    assert by_id["PI1.3"].category == "processing-integrity" and by_id["PI1.3"].theme == "PI1"
    assert by_id["P4.2"].category == "privacy" and by_id["P4.2"].theme == "P4"
    assert {c.category for c in by_id.values()} == set(SOC2_CATEGORIES)
    iso = catalogue.criterion("iso27001", "A.7.7")
    assert (iso.category, iso.theme) == ("", "physical")
    themes = [catalogue.criterion("iso27001", i).theme for i in ("A.5.1", "A.6.8", "A.8.34")]
    assert themes == ["organizational", "people", "technological"]
    assert {c.theme for c in catalogue.criteria} == set(THEME_TITLES)
    assert THEME_TITLES["CC6"] == "CC6 Logical and physical access"
    assert THEME_TITLES["P4"] == "P4 Use, retention and disposal"


def test_criterion_lookup(catalogue: Catalogue) -> None:
    assert catalogue.criterion("soc2", "CC9.2") == Criterion(
        "soc2", "CC9.2", catalogue.criterion_title("soc2", "CC9.2"), "security"
    )
    with pytest.raises(KeyError):
        catalogue.criterion("iso27001", "A.5.38")
    with pytest.raises(KeyError):
        catalogue.criterion("soc2", "A.5.1")


def test_missing_criterion_is_named(broken: Path) -> None:
    edit(broken / "criteria.toml", '"A.5.7" = ', '# "A.5.7" = ')
    error = error_of(broken)
    assert (error.file, error.field) == ("criteria.toml", "iso27001")
    assert "no title for A.5.7" in error.problem


def test_missing_soc2_criterion_is_named_under_its_category(broken: Path) -> None:
    edit(broken / "criteria.toml", '"P6.5" = ', '# "P6.5" = ')
    error = error_of(broken)
    assert (error.file, error.field) == ("criteria.toml", "soc2.privacy")
    assert "no title for P6.5" in error.problem


def test_extra_criterion_is_refused(broken: Path) -> None:
    edit(
        broken / "criteria.toml", '"A.8.34" = ', '"A.8.35" = "Not in the 2022 edition"\n"A.8.34" = '
    )
    error = error_of(broken)
    assert (error.file, error.field) == ("criteria.toml", "iso27001.A.8.35")
    assert "not an ISO 27001:2022 Annex A control" in error.problem


def test_extra_soc2_criterion_is_refused(broken: Path) -> None:
    edit(broken / "criteria.toml", '"CC9.2" = ', '"CC9.3" = "No such criterion"\n"CC9.2" = ')
    error = error_of(broken)
    assert (error.file, error.field) == ("criteria.toml", "soc2.security.CC9.3")


def test_duplicate_in_one_table_is_a_toml_error(broken: Path) -> None:
    edit(broken / "criteria.toml", '"A.5.2" = ', '"A.5.1" = "Twice"\n"A.5.2" = ')
    error = error_of(broken)
    assert error.file == "criteria.toml" and "invalid TOML" in error.problem


def test_criterion_listed_under_two_categories(broken: Path) -> None:
    edit(broken / "criteria.toml", '"P8.1" = ', '"CC1.1" = "Again"\n"P8.1" = ')
    error = error_of(broken)
    assert (error.file, error.field) == ("criteria.toml", "soc2.privacy.CC1.1")
    assert "listed twice (also under [soc2.security])" in error.problem


def test_miscategorised_criterion(broken: Path) -> None:
    text = (broken / "criteria.toml").read_text(encoding="utf-8")
    line = next(li for li in text.splitlines() if li.startswith('"C1.2" = '))
    text = text.replace(line + "\n", "").replace("[soc2.privacy]\n", f"[soc2.privacy]\n{line}\n")
    (broken / "criteria.toml").write_text(text, encoding="utf-8")
    error = error_of(broken)
    assert (error.file, error.field) == ("criteria.toml", "soc2.privacy.C1.2")
    assert "list it under [soc2.confidentiality]" in error.problem


def test_missing_category_table(broken: Path) -> None:
    text = (broken / "criteria.toml").read_text(encoding="utf-8")
    start = text.index("[soc2.confidentiality]")
    end = text.index("[soc2.processing-integrity]")
    (broken / "criteria.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    error = error_of(broken)
    assert (error.file, error.field) == ("criteria.toml", "soc2.confidentiality")
    assert error.problem == "missing"


def test_unknown_category_table(broken: Path) -> None:
    edit(broken / "criteria.toml", "[soc2.privacy]", "[soc2.private]")
    error = error_of(broken)
    assert (error.file, error.field) == ("criteria.toml", "soc2.private")


def test_unquoted_dotted_id_gets_a_hint(broken: Path) -> None:
    edit(broken / "criteria.toml", '"A.5.1" = ', "A.5.1 = ")
    error = error_of(broken)
    assert error.field == "iso27001.A" and 'in quotes: "A.5.1"' in error.problem


def test_mapping_to_an_unknown_criterion(broken: Path) -> None:
    edit(broken / "backups.toml", 'iso27001 = ["A.8.13"', 'iso27001 = ["A.8.35"')
    error = error_of(broken)
    assert (error.file, error.field) == ("backups.toml", "mapping.iso27001[0]")
    assert "'A.8.35' is not an ISO 27001:2022 criterion id" in error.problem


def test_coverage_names_every_uncovered_criterion(catalogue: Catalogue) -> None:
    nacls = catalogue.get("nacls")
    gaps = uncovered_criteria((nacls,), catalogue.criteria)
    assert "A.8.20" not in gaps["iso27001"] and "A.5.1" in gaps["iso27001"]
    assert len(gaps["iso27001"]) == 91 and len(gaps["soc2"]) == 60
    with pytest.raises(Exception) as caught:
        check_coverage((nacls,), catalogue.criteria)
    message = str(caught.value)
    assert message.startswith("criteria.toml: no control covers ISO 27001:2022 A.5.1, A.5.2,")
    assert "; SOC 2 CC1.1, CC1.2," in message and "A.5.14" not in message
