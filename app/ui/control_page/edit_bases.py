"""Which stored version of a control's state each editor started from (optimistic edits).

The page sends it with every save of the notes, owner or applicability; the store then
refuses a save when someone else (another window, a colleague on the team store)
changed the state since, instead of overwriting their change (`EditConflict`).
"""

from __future__ import annotations

from datetime import datetime

from app.store.unset import UNSET, Unset

Key = tuple[int, str]  # (engagement id, control id)


class EditBases:
    """Per control: the `updated_at` of the state its editors started from."""

    def __init__(self) -> None:
        self._bases: dict[Key, datetime | None] = {}

    def shown(self, key: Key, version: datetime | None, *, editing: bool) -> None:
        """A reload showed `version`. An editor still holding unsaved changes keeps the
        version it started from: saving it must not hide a change made meanwhile."""
        if not editing or key not in self._bases:
            self._bases[key] = version

    def base(self, key: Key) -> datetime | Unset | None:
        """What a save checks against (None: no state was stored when editing began)."""
        return self._bases.get(key, UNSET)

    def accept(self, key: Key, version: datetime | None) -> None:
        """Editing now continues from `version`: after a save, or once a conflict was shown
        (a second save then replaces the other change knowingly)."""
        self._bases[key] = version
