"""Call receipts on the fake AWS: request id and body hash of every page, completeness,
record count and the AWS CLI command that recounts the population."""

from __future__ import annotations

import hashlib
from typing import Any

import boto3

from app.aws.calls import fetch
from app.aws.clients import ScanClients
from app.aws.receipts import CallReceipt, ReceiptLog, recount_command
from app.scan.request import ScanRequest
from app.scan.runner import run_scan
from app.store.database import open_database
from app.store.models import Scan
from tests.result_schema import assert_valid

AMI = "ami-12c6146b"  # one of moto's built-in images
# moto pages DescribeInstances at 100 reservations; each run_instances is one reservation.
RESERVATIONS = 101


def _launch(count: int) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    for _ in range(count):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)


def _bodies(client: Any) -> list[tuple[str, bytes]]:
    """(request id, body) of each response the client receives, seen from a handler of
    the test's own."""
    seen: list[tuple[str, bytes]] = []

    def keep(http_response: Any = None, parsed: Any = None, **_: Any) -> None:
        seen.append((parsed["ResponseMetadata"]["RequestId"], bytes(http_response.content)))

    client.meta.events.register("after-call.ec2.DescribeInstances", keep)
    return seen


def test_a_paginated_listing_keeps_every_page_its_hash_and_a_recount(aws: str) -> None:
    _launch(RESERVATIONS)
    client = ScanClients(boto3.Session).client("ec2", "us-east-1")
    bodies = _bodies(client)
    log = ReceiptLog()

    fetched = fetch(client, "DescribeInstances", paginate=True, receipts=log)

    assert fetched.ok and fetched.value is not None
    assert len(fetched.value["Reservations"]) == RESERVATIONS
    (receipt,) = log.receipts()
    assert receipt.operation == "ec2:DescribeInstances" and receipt.region == "us-east-1"
    assert len(receipt.pages) == 2 == len(bodies)
    # moto answers EC2 with the same request id every time; AWS's differ per response.
    assert [(p.request_id, p.sha256) for p in receipt.pages] == [
        (request_id, hashlib.sha256(body).hexdigest()) for request_id, body in bodies
    ]
    assert all(page.request_id for page in receipt.pages)
    assert receipt.pages[0].sha256 != receipt.pages[1].sha256
    assert receipt.pages[0].continued and not receipt.pages[1].continued
    assert receipt.complete
    assert receipt.records == RESERVATIONS  # one instance per reservation
    assert receipt.recount == (
        "aws ec2 describe-instances --region us-east-1 --query 'length(Reservations[].Instances[])'"
    )
    assert CallReceipt.from_json(receipt.to_json()).to_json() == receipt.to_json()


def test_a_listing_cut_off_after_its_first_page_says_so(aws: str) -> None:
    _launch(RESERVATIONS)
    client = ScanClients(boto3.Session).client("ec2", "us-east-1")
    log = ReceiptLog()

    fetch(client, "DescribeInstances", receipts=log)  # one page only: no paginator

    (receipt,) = log.receipts()
    assert len(receipt.pages) == 1 and receipt.pages[0].continued
    assert not receipt.complete
    assert receipt.records == 100


def test_a_single_answer_has_no_record_count_and_a_failed_call_no_receipt(aws: str) -> None:
    clients = ScanClients(boto3.Session)
    log = ReceiptLog()

    fetch(clients.client("ec2", "eu-west-1"), "GetEbsEncryptionByDefault", receipts=log)
    failed = fetch(
        clients.client("kms", "eu-west-1"), "DescribeKey", {"KeyId": "nope"}, receipts=log
    )

    assert not failed.ok
    (receipt,) = log.receipts()
    assert receipt.operation == "ec2:GetEbsEncryptionByDefault"
    assert receipt.records is None and receipt.complete
    assert receipt.recount == "aws ec2 get-ebs-encryption-by-default --region eu-west-1"


def test_recount_commands_quote_parameters_for_the_shell() -> None:
    command = recount_command(
        "ec2",
        "DescribeSnapshots",
        "eu-west-1",
        {"Filters": [{"Name": "owner-id", "Values": ["123456789012"]}]},
        ["Snapshots"],
    )
    assert command == (
        "aws ec2 describe-snapshots --region eu-west-1 "
        """--filters '[{"Name":"owner-id","Values":["123456789012"]}]' """
        "--query 'length(Snapshots)'"
    )
    # The page size a paginated call is sent with is the CLI's own business.
    assert (
        recount_command("s3", "ListBuckets", "us-east-1", {"MaxBuckets": 10000}, ["Buckets"])
        == "aws s3api list-buckets --region us-east-1 --query 'length(Buckets)'"
    )
    trails = recount_command(
        "cloudtrail", "DescribeTrails", "eu-west-1", {"includeShadowTrails": True}, ["trailList"]
    )
    assert "--include-shadow-trails --query 'length(trailList)'" in trails


def test_a_scan_stores_the_receipts_and_its_document_carries_them(aws: str, tmp_path: Any) -> None:
    _launch(RESERVATIONS)
    db = open_database(tmp_path / "db.sqlite3")
    try:
        request = ScanRequest(
            boto3.Session, "Acme", regions=["us-east-1"], controls=["no-ssh"], actor="t"
        )
        outcome = run_scan(request, db)
        with db.session() as session:
            stored = session.get(Scan, outcome.scan_id)
            assert stored is not None
            receipts = [CallReceipt.from_json(item) for item in stored.receipts]
    finally:
        db.close()

    listing = [r for r in receipts if r.operation == "ec2:DescribeInstances"]
    assert len(listing) == 1 and len(listing[0].pages) == 2 and listing[0].complete
    assert listing[0].records == RESERVATIONS
    # moto does not implement ssm:DescribeInstanceInformation: a failed call, no receipt.
    assert {r.operation for r in receipts} == {
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
    }
    document = outcome.document()
    assert_valid(document)
    calls = {c["operation"]: c for c in document["api_calls"]}
    assert calls["ec2:DescribeInstances"]["page_count"] == 2
    assert calls["ec2:DescribeInstances"]["records"] == RESERVATIONS
    assert len(receipts) == len(document["api_calls"])
