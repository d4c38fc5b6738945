"""Which KMS keys the customer manages: shared by key rotation and key deletion checks.

moto marks the `alias/aws/ebs` key it creates for default EBS encryption as
`KeyManager=CUSTOMER` (real AWS says `AWS`), so a key behind an `alias/aws/...`
alias counts as AWS-managed whatever its metadata says.
"""

from __future__ import annotations

from app.aws.inventory.model import KeyMetadata, KmsKey, RegionInventory


def aws_aliased_key_ids(region: RegionInventory) -> frozenset[str]:
    """Key ids behind `alias/aws/...` aliases (empty if the aliases could not be read)."""
    if not region.kms_aliases.ok:
        return frozenset()
    return frozenset(
        alias.target_key_id
        for alias in region.kms_aliases.require()
        if alias.target_key_id and alias.alias_name.startswith("alias/aws/")
    )


def key_aliases(region: RegionInventory, key: KmsKey) -> list[str]:
    if not region.kms_aliases.ok:
        return []
    return [a.alias_name for a in region.kms_aliases.require() if a.target_key_id == key.key_id]


def is_customer_managed(metadata: KeyMetadata, key: KmsKey, aws_aliased: frozenset[str]) -> bool:
    return metadata.key_manager.upper() == "CUSTOMER" and key.key_id not in aws_aliased


def key_label(region: RegionInventory, key: KmsKey) -> str:
    aliases = key_aliases(region, key)
    return f"key {key.key_id} ({', '.join(aliases)})" if aliases else f"key {key.key_id}"


def unknown_metadata(metadata: KeyMetadata) -> str:
    """The fields the checks need that a DescribeKey answer left out ("" when none).

    `KeySpec`, `KeyUsage` and `Origin` have documented defaults (applied when fetching);
    who manages the key and its state have none, and without them a key would silently
    leave the population.
    """
    missing = [
        words
        for value, words in (
            (metadata.key_manager, "manager (KeyManager)"),
            (metadata.key_state, "state (KeyState)"),
        )
        if not value
    ]
    return " or ".join(missing)
