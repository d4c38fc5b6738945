"""The binder is headless: exporting and verifying never load Qt."""

from __future__ import annotations

import subprocess
import sys


def test_report_and_its_commands_do_not_import_qt() -> None:
    code = (
        "import sys, app.report.binder, app.report.data, app.report.verify, "
        "app.commands.export, app.commands.verify; "
        "print('PySide6' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
