"""A scan's state is one type; its values are the column's and the result document's."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.store.models import Engagement
from app.store.scan_state import FINAL_STATES, ScanState
from tests.store.conftest import record_scan, result

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "scan-result.schema.json"


def _state_enum(node: object) -> list[str] | None:
    """The `enum` of the schema's `scan.state` property, wherever it is nested."""
    if isinstance(node, dict):
        state = node.get("properties", {}).get("state")
        if isinstance(state, dict) and "enum" in state:
            return list(state["enum"])
        return next((found for v in node.values() if (found := _state_enum(v))), None)
    if isinstance(node, list):
        return next((found for v in node if (found := _state_enum(v))), None)
    return None


def test_the_states_are_the_documents() -> None:
    documented = _state_enum(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert documented == [state.value for state in ScanState]
    assert ScanState.RUNNING not in FINAL_STATES and ScanState.NOT_STORED not in FINAL_STATES


def test_the_column_holds_the_plain_words(session: Session, engagement: Engagement) -> None:
    complete = record_scan(session, engagement, [result()], state=ScanState.COMPLETE)
    running = record_scan(session, engagement, [result()], state=ScanState.RUNNING)
    session.flush()
    stored = {row[0]: row[1] for row in session.execute(text("SELECT id, state FROM scans"))}
    assert stored == {complete.id: "complete", running.id: "running"}
    session.expire_all()
    assert ScanState(complete.state) is ScanState.COMPLETE
