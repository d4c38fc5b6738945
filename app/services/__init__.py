"""Qt-free application services the GUI and the CLI share (no PySide6 here)."""
