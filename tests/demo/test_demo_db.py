"""`audit-binder demo` keeps its own database in the user data folder unless `--db`:
AUDIT_BINDER_DB (the user's real database) does not move it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli


@pytest.mark.slow
def test_the_demo_database_is_not_moved_beside_the_real_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "team" / "audit-binder.sqlite3"
    monkeypatch.setenv("AUDIT_BINDER_DB", str(real))
    monkeypatch.delenv("AUDIT_BINDER_DEMO_DB", raising=False)
    data = Path(os.environ["XDG_DATA_HOME"]) / "audit-binder"

    ran = run_cli(capsys, "demo", "--pdf", str(tmp_path / "demo.pdf"))

    assert ran.code == 0, ran.err
    assert (data / "audit-binder-demo.sqlite3").is_file()
    assert f"demo database: {data / 'audit-binder-demo.sqlite3'}" in ran.out
    assert not real.parent.exists()  # nothing written beside the real database
