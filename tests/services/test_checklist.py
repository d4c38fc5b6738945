"""The checklist's order, its kind filter, and next / previous along it."""

from __future__ import annotations

from app.controls.catalogue import FAMILIES, load_catalogue
from app.services.checklist import (
    ControlKind,
    checklist_groups,
    checklist_order,
    kind_words,
    neighbour,
)


def test_every_kind_keeps_the_family_order_and_the_kinds_add_up() -> None:
    catalogue = load_catalogue()
    everything = checklist_order(catalogue, ControlKind.ALL)
    automated = checklist_order(catalogue, ControlKind.AUTOMATED)
    manual = checklist_order(catalogue, ControlKind.MANUAL)
    inherited = checklist_order(catalogue, ControlKind.INHERITED)

    assert sorted(everything) == sorted(catalogue.ids)
    assert sorted(automated + manual) == sorted(everything)
    assert set(inherited) <= set(manual) and inherited == ["aws-data-centres"]
    assert all(catalogue.get(i).automated for i in automated)
    # Each filtered list is the full list with the others left out, never re-ordered.
    for ids in (automated, manual, inherited):
        assert ids == [i for i in everything if i in ids]
    families = [g.family for g in checklist_groups(catalogue, ControlKind.ALL)]
    assert families == [f for f in FAMILIES if f in families]
    assert all(g.controls for g in checklist_groups(catalogue, ControlKind.AUTOMATED))


def test_kind_words_name_the_provider_of_an_inherited_control() -> None:
    catalogue = load_catalogue()
    assert kind_words(catalogue.get("cloudtrail")) == "automated"
    assert kind_words(catalogue.get("incident-response")) == "manual"
    assert kind_words(catalogue.get("aws-data-centres")) == "manual, inherited from AWS"


def test_neighbour_walks_the_order_and_stops_at_either_end() -> None:
    order = ["a", "b", "c"]
    assert neighbour(order, "b", 1) == "c"
    assert neighbour(order, "b", -1) == "a"
    assert neighbour(order, "c", 1) is None
    assert neighbour(order, "a", -1) is None
    # Filtered out (or nothing shown yet): next is the first, previous the last.
    assert neighbour(order, "x", 1) == "a"
    assert neighbour(order, None, -1) == "c"
    assert neighbour([], "a", 1) is None
