"""The services and the schedule command are headless: they never load Qt."""

from __future__ import annotations

import subprocess
import sys


def test_services_and_schedule_do_not_import_qt() -> None:
    """The SoA screen's, the checklist's and the dashboard's logic included."""
    code = (
        "import sys, app.services.ledger, app.services.schedulers, app.commands.schedule, "
        "app.scan.unattended, app.services.soa_view, app.services.soa_files, "
        "app.services.next_steps, app.services.checklist, app.services.engagement_setup, "
        "app.services.engagements, app.services.control_page, app.services.control_edits, "
        "app.services.control_statuses, app.services.scan_history, app.services.soa_edits, "
        "app.services.binder; "
        "print('PySide6' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
