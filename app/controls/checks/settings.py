"""What an engagement tunes about the checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.evidence import utc_now


@dataclass(frozen=True)
class CheckSettings:
    """Check parameters, built from `Engagement.settings` by `from_engagement_settings`.

    `max_open_prefix_v4` / `_v6`: an inbound security-group range wider (a smaller
    prefix length) than this fails `sg-inbound-restricted`. `sensitive_buckets`: bucket
    names the engagement marks sensitive (Object Lock in compliance mode required).
    `now`: the scan time, for key ages and lock expiry.
    """

    max_open_prefix_v4: int = 16
    max_open_prefix_v6: int = 48
    sensitive_buckets: frozenset[str] = frozenset()
    now: datetime = field(default_factory=utc_now)

    @classmethod
    def from_engagement_settings(
        cls, settings: Mapping[str, Any], now: datetime | None = None
    ) -> CheckSettings:
        """Read the engagement's JSON settings; unknown keys are ignored.

        Accepts `max_cidr_prefix` as an alias of `max_open_prefix_v4` (the store's
        documented example key). Raises ValueError on values out of range.
        """
        v4 = int(settings.get("max_open_prefix_v4", settings.get("max_cidr_prefix", 16)))
        v6 = int(settings.get("max_open_prefix_v6", 48))
        if not 0 <= v4 <= 32:
            raise ValueError(f"max_open_prefix_v4 must be 0..32, not {v4}")
        if not 0 <= v6 <= 128:
            raise ValueError(f"max_open_prefix_v6 must be 0..128, not {v6}")
        buckets = settings.get("sensitive_buckets") or ()
        if isinstance(buckets, str):
            buckets = [b.strip() for b in buckets.split(",")]
        return cls(
            max_open_prefix_v4=v4,
            max_open_prefix_v6=v6,
            sensitive_buckets=frozenset(str(b) for b in buckets if str(b)),
            now=now or utc_now(),
        )
