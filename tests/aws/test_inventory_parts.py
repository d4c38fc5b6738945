"""The inventory parts' names are the fields of the inventory they fill."""

from __future__ import annotations

from dataclasses import fields

from app.aws.inventory.collect import GLOBAL_PARTS, REGION_PARTS
from app.aws.inventory.model import IamInventory, RegionInventory, S3Inventory


def _names(kind: type) -> set[str]:
    return {f.name for f in fields(kind)}


def test_region_parts_are_the_region_inventory_fields() -> None:
    assert set(REGION_PARTS) == _names(RegionInventory) - {"region"}


def test_global_parts_are_the_iam_and_s3_fields() -> None:
    expected = {f"iam.{n}" for n in _names(IamInventory)} | {f"s3.{n}" for n in _names(S3Inventory)}
    assert set(GLOBAL_PARTS) == expected
