"""threat-detection: GuardDuty is enabled (its detector ENABLED) in every scanned region.

One row per region: GuardDuty is regional, and a region without a detector is one where
nobody would hear of a compromised key or a crypto-miner.
"""

from __future__ import annotations

from app.aws.inventory.model import Detector, Inventory, RegionInventory
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "threat-detection"
CHECK = "guardduty-enabled"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    rows = Rows(CONTROL, CHECK, inventory, settings.now)
    return [_region_row(rows, region) for region in inventory.regions.values()]


def _words(detector: Detector) -> str:
    details = detector.details.require()
    on = [name for name, status in details.features if status == "ENABLED"]
    features = f"; protection plans on: {', '.join(on)}" if on else ""
    return f"detector {detector.detector_id} {details.status}{features}"


def _region_row(rows: Rows, region: RegionInventory) -> CheckResult:
    name = region.region
    listing = region.guardduty_detectors
    if not listing.ok:
        return rows.error(name, name, "the GuardDuty detectors", listing)
    detectors = listing.require()
    evidence = [rows.evidence(listing, {"DetectorIds": [d.detector_id for d in detectors]})]
    if not detectors:
        return rows.row(name, name, Status.FAIL, f"GuardDuty is not enabled in {name}", evidence)
    for detector in detectors:
        details = detector.details
        if details.ok:
            evidence.append(rows.evidence(details, pick(details.require().raw, "Status")))
    enabled = [d for d in detectors if d.details.ok and d.details.require().status == "ENABLED"]
    if enabled:
        detail = f"GuardDuty is on in {name}: {_words(enabled[0])}"
        return rows.row(name, name, Status.PASS, detail, evidence)
    for detector in detectors:
        if not detector.details.ok:
            return rows.error(name, name, f"detector {detector.detector_id}", detector.details)
        if detector.details.require().status is None:
            detail = (
                f"could not tell: the GetDetector answer of {detector.detector_id} has no Status"
            )
            return rows.row(name, name, Status.ERROR, detail, evidence)
    words = "; ".join(_words(d) for d in detectors)
    return rows.row(name, name, Status.FAIL, f"GuardDuty is suspended in {name}: {words}", evidence)
