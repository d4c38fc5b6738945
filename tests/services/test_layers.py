"""The services and the schedule command are headless: they never load Qt."""

from __future__ import annotations

import subprocess
import sys


def test_services_and_schedule_do_not_import_qt() -> None:
    code = (
        "import sys, app.services.ledger, app.services.schedulers, app.commands.schedule, "
        "app.scan.unattended; print('PySide6' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
