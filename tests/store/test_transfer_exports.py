"""The engagement file carries each scan's call receipts and the binder export log
(append-only); files from before them still import, with none."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.aws.receipts import CallReceipt, PageReceipt
from app.store.database import Database
from app.store.engagements import create_engagement
from app.store.errors import TransferError
from app.store.exports import binder_exports, record_export
from app.store.models import AppendOnlyViolation, Scan
from app.store.scans import add_results, finish_scan, start_scan
from app.store.transfer_export import export_engagement
from app.store.transfer_import import import_engagement
from tests.store.conftest import ACCOUNT, result
from tests.store.transfer_helpers import edited, laptop_store

LISTING = CallReceipt(
    operation="ec2:DescribeSecurityGroups",
    region="eu-west-1",
    endpoint_region="eu-west-1",
    parameters={},
    called_at=datetime(2026, 11, 28, 10, 0, 5, tzinfo=UTC),
    pages=(
        PageReceipt("req-1", "a" * 64, 1200, 200, True),
        PageReceipt("req-2", "b" * 64, 80, 200, False),
    ),
    counts={"SecurityGroups": 57},
    recount="aws ec2 describe-security-groups --region eu-west-1 --query 'length(SecurityGroups)'",
)


@pytest.fixture
def exported(db: Database, tmp_path: Path) -> Path:
    with db.session() as session:
        engagement = create_engagement(session, "Acme 2026", actor="ana")
        scan = start_scan(session, engagement, account_id=ACCOUNT, actor="ana")
        add_results(session, scan, [result()])
        finish_scan(session, scan, actor="ana", receipts=[LISTING.to_json()])
        for name in ("first.pdf", "second.pdf"):
            record_export(
                session,
                engagement,
                actor="ana",
                file_name=name,
                digest="c" * 64,
                signer="ana (Audit Binder)",
                signer_fingerprint="d" * 64,
            )
        target = tmp_path / "acme.audit-binder"
        export_engagement(session, engagement, target, actor="ana")
    return target


def test_receipts_and_the_export_log_round_trip(exported: Path, tmp_path: Path) -> None:
    laptop = laptop_store(tmp_path)
    with laptop.session() as session:
        copy = import_engagement(session, exported, actor="carol")
        (scan,) = session.query(Scan).filter_by(engagement_id=copy.id)
        assert [CallReceipt.from_json(r) for r in scan.receipts] == [LISTING]
        log = binder_exports(session, copy)
        assert [(x.file_name, x.exported_by, x.digest, x.signer_fingerprint) for x in log] == [
            ("first.pdf", "ana", "c" * 64, "d" * 64),
            ("second.pdf", "ana", "c" * 64, "d" * 64),
        ]
    laptop.close()


def test_the_app_cannot_edit_or_delete_an_export_record(db: Database) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="ana")
        record_export(session, engagement, actor="ana", file_name="a.pdf", digest="e" * 64)
    with pytest.raises(AppendOnlyViolation), db.session() as session:
        binder_exports(session, engagement)[0].digest = "f" * 64
    with pytest.raises(AppendOnlyViolation), db.session() as session:
        session.delete(binder_exports(session, engagement)[0])
    with db.session() as session:
        assert [x.digest for x in binder_exports(session, engagement)] == ["e" * 64]


def test_a_file_from_before_receipts_and_the_export_log_imports_with_none(
    exported: Path, tmp_path: Path
) -> None:
    def older(manifest: dict[str, Any]) -> None:  # as format 2 wrote it
        manifest["format_version"] = 2
        manifest.pop("binder_exports")
        for scan in manifest["scans"]:
            scan.pop("receipts")

    laptop = laptop_store(tmp_path)
    with laptop.session() as session:
        copy = import_engagement(session, edited(exported, tmp_path / "v2.zip", older), actor="c")
        (scan,) = session.query(Scan).filter_by(engagement_id=copy.id)
        assert scan.receipts == [] and binder_exports(session, copy) == []
    laptop.close()


def test_malformed_receipts_import_nothing(exported: Path, tmp_path: Path) -> None:
    def broken(manifest: dict[str, Any]) -> None:
        manifest["scans"][0]["receipts"] = [{"operation": "ec2:DescribeVpcs"}]

    laptop = laptop_store(tmp_path)
    with laptop.session() as session, pytest.raises(TransferError, match="malformed call receipts"):
        import_engagement(session, edited(exported, tmp_path / "bad.zip", broken), actor="c")
    laptop.close()
