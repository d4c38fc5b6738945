"""The rule for fields AWS may leave out (app/aws/inventory/model.py), checked on every
collector: each recorded answer is replayed with each optional member of its output shape
removed in turn (botocore's `required` lists say which are optional; a member inside a
list is removed from every item at once), and the checks reading that collector must give
no PASS that was not there with the member, and lose no resource without an ERROR row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.model import Shape

from app.aws.clients import ScanClients
from app.aws.inventory import collect, iam
from app.aws.inventory.context import FetchContext
from app.aws.inventory.model import Inventory
from app.controls.checks import CHECKS, CheckSettings
from app.controls.results import CheckResult, Status
from app.scan.needs import NEEDS
from app.scan.runner import prepare
from tests.fakes.recorded_aws import (
    RECORDED_AT,
    RECORDED_ENV,
    SCANNED,
    Exchange,
    Recording,
    Replay,
    ResponseEdit,
    operation_model,
)

Path = tuple[str, ...]  # member names; "*" for every item of a list or map

# Members whose absence AWS documents as a meaning of its own, so that an answer without
# them cannot be told from a real one: removing them may change a verdict by design.
# (Each paginated call's output token is skipped too: no token is how AWS says "last page".)
DOCUMENTED_ABSENCE: dict[tuple[str, str, Path], str] = {
    ("s3", "GetBucketReplication", ("ReplicationConfiguration", "Rules", "*", "Filter", key)): (
        "an empty Filter is AWS's way of saying 'every object in the bucket'"
    )
    for key in ("And", "Prefix", "Tag")
}


@cache
def _output_tokens(service: str, operation: str) -> frozenset[str]:
    try:
        config = (
            botocore.session.get_session().get_paginator_model(service).get_paginator(operation)
        )
    except ValueError:  # not paginated
        return frozenset()
    tokens = config["output_token"]
    return frozenset(tokens if isinstance(tokens, list) else [tokens])


def _documented(exchange: Exchange, path: Path) -> bool:
    if (exchange.service, exchange.operation, path) in DOCUMENTED_ABSENCE:
        return True
    return len(path) == 1 and path[0] in _output_tokens(exchange.service, exchange.operation)


SETTINGS = CheckSettings(now=RECORDED_AT)


def optional_paths(shape: Shape, value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every optional member present in `value`, as a path through the shape."""
    if shape.type_name == "structure" and isinstance(value, dict):
        required = set(shape.required_members)  # type: ignore[attr-defined]
        for key, inner in value.items():
            if key == "ResponseMetadata":
                continue
            if key not in required:
                yield (*prefix, key)
            yield from optional_paths(shape.members[key], inner, (*prefix, key))  # type: ignore[attr-defined]
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            yield from optional_paths(shape.member, item, (*prefix, "*"))  # type: ignore[attr-defined]
    elif shape.type_name == "map" and isinstance(value, dict):
        for item in value.values():
            yield from optional_paths(shape.value, item, (*prefix, "*"))  # type: ignore[attr-defined]


def without(value: Any, path: Path) -> None:
    """Remove the member at `path` (in place), in every item where the path has a "*"."""
    head, rest = path[0], path[1:]
    if head == "*":
        items = value if isinstance(value, list) else list(value.values())
        for item in items:
            without(item, rest)
    elif isinstance(value, dict) and head in value:
        if rest:
            without(value[head], rest)
        else:
            del value[head]


@dataclass(frozen=True)
class Part:
    name: str
    region: str | None  # None: a global part


def _fetch(part: Part, ctx: FetchContext) -> Any:
    parts = collect.GLOBAL_PARTS if part.region is None else collect.REGION_PARTS
    return collect.fetch_part(parts[part.name], ctx, part.region)


def _with_part(inventory: Inventory, part: Part, value: Any) -> Inventory:
    if part.region is not None:
        region = replace(inventory.regions[part.region], **{part.name: value})
        return replace(inventory, regions={**inventory.regions, part.region: region})
    section, field = part.name.split(".", 1)
    return replace(inventory, **{section: replace(getattr(inventory, section), **{field: value})})


def _judged(inventory: Inventory, part: Part) -> list[CheckResult]:
    return [
        row
        for control, check in CHECKS.items()
        if part.name in NEEDS[control]
        for row in check(inventory, SETTINGS)
    ]


class Walk:
    """One situation: its inventory, and each part re-fetched with an answer trimmed.

    One set of clients serves every re-fetch (making clients is the slow part); the
    replay behind them is told which answer to trim before each one.
    """

    def __init__(self, name: str) -> None:
        self.recording = Recording.load(name)
        self.replay = Replay(self.recording, strict=False)
        self.clients = ScanClients(boto3.Session, hooks=[self.replay.hook])
        prepared = prepare(self.clients, regions=list(SCANNED[name]))
        self.identity, self.plan = prepared.identity, prepared.plan
        self.inventory = collect.collect_inventory(self.clients, self.identity, self.plan)

    def fetch(self, part: Part, edit: ResponseEdit | None = None) -> Any:
        self.replay.edit = edit
        self.replay.answered.clear()
        with ThreadPoolExecutor(4) as pool:
            ctx = FetchContext(
                clients=self.clients,
                account_id=self.identity.account_id,
                partition=self.identity.partition,
                scanned_regions=frozenset(self.plan.regions),
                cancel=threading.Event(),
                leaf_pool=pool,
            )
            return _fetch(part, ctx)

    def parts(self) -> Iterator[Part]:
        for region in self.plan.regions:
            for name in collect.REGION_PARTS:
                yield Part(name, region)
        for name in collect.GLOBAL_PARTS:
            yield Part(name, None)

    def exchanges_of(self, part: Part) -> list[Exchange]:
        self.fetch(part)
        unique: dict[int, Exchange] = {id(e): e for e in self.replay.answered}
        return list(unique.values())


def _trimmed(target: Exchange, path: Path) -> ResponseEdit:
    def edit(exchange: Exchange, parsed: dict[str, Any]) -> dict[str, Any]:
        if exchange is target:
            without(parsed, path)
        return parsed

    return edit


def _regressions(before: list[CheckResult], after: list[CheckResult]) -> list[str]:
    """New PASS rows, and resources gone without an ERROR row for their check and region."""
    passed = {(r.check, r.resource) for r in before if r.status is Status.PASS}
    present = {(r.check, r.resource) for r in after}
    errors = {(r.check, r.region) for r in after if r.status is Status.ERROR}
    found = [
        f"new PASS {r.check} {r.resource}: {r.detail}"
        for r in after
        if r.status is Status.PASS and (r.check, r.resource) not in passed
    ]
    found += [
        f"{r.check} {r.resource} vanished without an ERROR row"
        for r in before
        if (r.check, r.resource) not in present
        and (r.check, r.region) not in errors
        and (r.check, "global") not in errors
    ]
    return found


class _PollClock:
    """Stands in for the `time` module of the credential report's polling loop."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1.0
        return self.now


@pytest.mark.parametrize("name", sorted(SCANNED))
def test_no_absent_field_gives_a_pass_or_hides_a_resource(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in RECORDED_ENV.items():
        monkeypatch.setenv(variable, value)
    # A trimmed State must not poll for a minute, but the first report (STARTED, polled
    # again 0.25 s later) must not run out of time on a busy machine either: the verdicts
    # compared would then differ by timing, not by the trimmed field. So the report's
    # clock counts polls (each reading a second later): three polls, however busy.
    monkeypatch.setattr(iam, "REPORT_WAIT_S", 3.0)
    monkeypatch.setattr(iam, "time", _PollClock())
    walk = Walk(name)
    problems: list[str] = []
    variants = 0
    for part in walk.parts():
        before = _judged(walk.inventory, part)
        for exchange in walk.exchanges_of(part):
            if exchange.response is None:
                continue
            shape = operation_model(exchange.service, exchange.operation).output_shape
            for path in sorted(set(optional_paths(shape, exchange.parsed()))):
                if _documented(exchange, path):
                    continue
                variants += 1
                value = walk.fetch(part, _trimmed(exchange, path))
                after = _judged(_with_part(walk.inventory, part, value), part)
                where = f"{exchange.service}:{exchange.operation} without {'.'.join(path)}"
                problems += [f"{where}: {p}" for p in _regressions(before, after)]
    assert variants > 100
    assert problems == [], "\n".join(problems)


def test_the_walk_would_see_a_field_read_as_a_guess() -> None:
    """The comparison itself: a PASS that appears, or a resource that goes, is reported."""
    row = CheckResult("c", "k", "us-east-1", "arn:x", Status.FAIL, "", "1")
    gone = CheckResult("c", "k", "us-east-1", "arn:y", Status.PASS, "", "1")
    assert _regressions([row, gone], [replace(row, status=Status.PASS)]) == [
        "new PASS k arn:x: ",
        "k arn:y vanished without an ERROR row",
    ]
    error = CheckResult("c", "k", "us-east-1", "us-east-1", Status.ERROR, "", "1")
    assert _regressions([row], [error]) == []


def test_paths_reach_into_lists_and_skip_required_members() -> None:
    shape = operation_model("kms", "ListKeys").output_shape
    value = {"Keys": [{"KeyId": "k1", "KeyArn": "a"}, {"KeyId": "k2"}], "Truncated": False}
    assert set(optional_paths(shape, value)) == {
        ("Keys",),
        ("Keys", "*", "KeyId"),
        ("Keys", "*", "KeyArn"),
        ("Truncated",),
    }
    without(value, ("Keys", "*", "KeyId"))
    assert value["Keys"] == [{"KeyArn": "a"}, {}]
