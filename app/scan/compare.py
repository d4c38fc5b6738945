"""What two scans of one account can be compared on: what both of them covered.

A region only one scan looked at says nothing about the other scan (its resources are
not "no longer present", merely not looked at), nor does a control only one checked.
`common_scope` gives what both covered and `not_compared` says, in words, what was
left out; the binder and the app's scan history both use them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.store.models import Scan


@dataclass(frozen=True)
class CommonScope:
    before_id: int
    after_id: int
    controls: tuple[str, ...] | None  # checked by both; None: both checked every control
    # Controls each scan was limited to (empty: every control), for saying why.
    before_controls: tuple[str, ...]
    after_controls: tuple[str, ...]
    regions_only_before: tuple[str, ...]
    regions_only_after: tuple[str, ...]

    @property
    def regions_not_compared(self) -> tuple[str, ...]:
        return tuple(sorted(self.regions_only_before + self.regions_only_after))

    def compares(self, control: str, region: str) -> bool:
        """Whether a row of `control` in `region` is comparable between the two scans.
        Rows outside every scanned region (global services) are."""
        if self.controls is not None and control not in self.controls:
            return False
        return region not in self.regions_not_compared


def common_scope(before: Scan, after: Scan) -> CommonScope:
    first, second = tuple(before.controls or ()), tuple(after.controls or ())
    if not first and not second:
        controls: tuple[str, ...] | None = None
    elif not first or not second:
        controls = tuple(sorted(first or second))
    else:
        controls = tuple(sorted(set(first) & set(second)))
    regions_before, regions_after = set(before.regions or ()), set(after.regions or ())
    return CommonScope(
        before_id=before.id,
        after_id=after.id,
        controls=controls,
        before_controls=first,
        after_controls=second,
        regions_only_before=tuple(sorted(regions_before - regions_after)),
        regions_only_after=tuple(sorted(regions_after - regions_before)),
    )


def _listed(word: str, names: Sequence[str]) -> str:
    return f"{word}{'s' if len(names) != 1 else ''} {', '.join(names)}"


def _per_scan(
    scope: CommonScope,
    before: tuple[str, ...],
    after: tuple[str, ...],
    say: Callable[[tuple[str, ...], int], str],
) -> list[str]:
    pairs = ((before, scope.before_id), (after, scope.after_id))
    return [say(names, scan_id) for names, scan_id in pairs if names]


def not_compared(scope: CommonScope) -> list[str]:
    """Sentences saying what the comparison left out; empty when it left out nothing."""
    notes: list[str] = []
    regions = _per_scan(
        scope,
        scope.regions_only_before,
        scope.regions_only_after,
        lambda names, scan_id: f"{_listed('region', names)} (scanned by scan {scan_id} only)",
    )
    if regions:
        notes.append(f"Not compared: {'; '.join(regions)}.")
    if scope.controls is not None:
        limited = "; ".join(
            _per_scan(
                scope,
                scope.before_controls,
                scope.after_controls,
                lambda names, scan_id: f"scan {scan_id} checked only {', '.join(names)}",
            )
        )
        if not scope.controls:
            notes.append(f"No control was checked by both scans ({limited}).")
        else:
            verb = "was" if len(scope.controls) == 1 else "were"
            notes.append(f"Only {_listed('control', scope.controls)} {verb} compared ({limited}).")
    return notes
