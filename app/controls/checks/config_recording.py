"""config-recording: AWS Config records the configuration in every scanned region: a
recorder of the account's own (not a service-linked one), recording, its last attempt not
failed, with a delivery channel to send what it records to.
"""

from __future__ import annotations

from app.aws.inventory.model import ConfigRecorder, Inventory, RegionInventory
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

CONTROL = "config-recording"
CHECK = "config-recorder-on"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    rows = Rows(CONTROL, CHECK, inventory, settings.now)
    return [_region_row(rows, region) for region in inventory.regions.values()]


def _scope(recorder: ConfigRecorder) -> str:
    if recorder.all_supported:
        extra = " and global ones" if recorder.include_global_types else ""
        return f"every supported resource type{extra}"
    if recorder.resource_types:
        return f"{len(recorder.resource_types)} resource types"
    return f"a recording strategy of {recorder.strategy or 'unstated scope'}"


def _judge(recorder: ConfigRecorder) -> tuple[Status, str]:
    """The recorder on its own: recording and not failing (PASS), stopped or failing (FAIL),
    or not known (ERROR)."""
    status = recorder.status
    if not status.ok:
        return (
            Status.ERROR,
            f"could not read the status of recorder {recorder.name}: {status.error}",
        )
    state = status.value
    if state is None or state.recording is None:
        return Status.ERROR, f"the status listing does not say whether {recorder.name} records"
    if not state.recording:
        return Status.FAIL, f"recorder {recorder.name} is stopped"
    if (state.last_status or "").upper() == "FAILURE":
        why = state.last_error_code or state.last_error_message or "no reason given"
        return Status.FAIL, f"recorder {recorder.name} records but its last attempt failed ({why})"
    return Status.PASS, f"recorder {recorder.name} records {_scope(recorder)}"


def _region_row(rows: Rows, region: RegionInventory) -> CheckResult:
    name = region.region
    listing = region.config_recorders
    if not listing.ok:
        return rows.error(name, name, "the AWS Config recorders", listing)
    recorders = listing.require()
    own = [r for r in recorders if not r.service_principal]
    evidence: list[Evidence] = [
        rows.evidence(listing, [pick(r.raw, "name", "recordingGroup") for r in recorders])
    ]
    evidence += [
        rows.evidence(r.status, dict(r.status.value.raw))
        for r in own
        if r.status.ok and r.status.value is not None
    ]
    if not own:
        linked = [r.service_principal or "" for r in recorders]
        also = f" (only service-linked ones, for {', '.join(linked)})" if linked else ""
        detail = f"AWS Config records nothing in {name}: no configuration recorder{also}"
        return rows.row(name, name, Status.FAIL, detail, evidence)
    judged = [_judge(r) for r in own]
    passing = [words for status, words in judged if status is Status.PASS]
    if not passing:
        worst = next((j for j in judged if j[0] is Status.FAIL), judged[0])
        return rows.row(name, name, worst[0], worst[1], evidence)
    return _with_channel(rows, region, passing[0], evidence)


def _with_channel(
    rows: Rows, region: RegionInventory, recording: str, evidence: list[Evidence]
) -> CheckResult:
    name = region.region
    channels = region.config_delivery_channels
    if not channels.ok:
        return rows.error(name, name, "the AWS Config delivery channels", channels)
    found = channels.require()
    evidence.append(
        rows.evidence(channels, [pick(c.raw, "name", "s3BucketName", "snsTopicARN") for c in found])
    )
    if not found:
        detail = f"{recording}, but there is no delivery channel: nothing is delivered"
        return rows.row(name, name, Status.FAIL, detail, evidence)
    to = ", ".join(f"s3://{c.s3_bucket}" if c.s3_bucket else c.name for c in found)
    return rows.row(name, name, Status.PASS, f"{recording}; delivers to {to}", evidence)
