"""The binder service: the PDF written from the `Database`, in a session of its own; and
the layering that keeps it free of cycles (app/report never imports it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.controls.results import Status
from app.report.data import UnknownEngagement
from app.services.binder import write_binder
from app.store.database import Database
from app.store.models import Engagement
from tests.services.conftest import record_scan, sg_rows

REPORT = Path(__file__).resolve().parents[2] / "app" / "report"


class _Stopped(Exception):
    """What the GUI's cancel raises from the progress callback, in short."""


def test_the_binder_is_written_with_every_step_reported(
    db: Database, session: Session, engagement: Engagement, tmp_path: Path
) -> None:
    record_scan(session, engagement, sg_rows(Status.PASS, Status.FAIL))
    session.commit()
    steps: list[tuple[int, int, str]] = []
    pdf = tmp_path / "binder.pdf"
    summary = write_binder(db, "Acme 2026", pdf, lambda *step: steps.append(step))
    assert summary.path == pdf and summary.results == 2 and summary.scans == 1
    assert len(PdfReader(pdf).pages) == summary.pages > 1
    assert steps[0][2] == "Gathering evidence" and steps[-1] == (6, 6, "Done")


def test_an_unknown_engagement_or_a_stop_leaves_no_file(
    db: Database, session: Session, engagement: Engagement, tmp_path: Path
) -> None:
    session.commit()
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = folder / "binder.pdf"
    with pytest.raises(UnknownEngagement, match="Acme 2026"):  # the names there are
        write_binder(db, "Acme 2062", pdf)

    def stop(done: int, _total: int, _text: str) -> None:
        if done == 5:  # about to write the file
            raise _Stopped

    with pytest.raises(_Stopped):
        write_binder(db, "Acme 2026", pdf, stop)
    assert list(folder.iterdir()) == []


def test_the_report_never_imports_the_binder_service() -> None:
    """ui and commands -> services.binder -> report -> domain services: one way only."""
    importers = []
    for path in sorted(REPORT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if "app.services.binder" in names:
                importers.append(path.name)
    assert len(list(REPORT.rglob("*.py"))) > 10 and importers == []
