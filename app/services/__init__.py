"""Qt-free application services: what the GUI, the CLI and the binder share.

- ledger, ledger_model, ledger_math, ledger_words: the period ledger (how each control
  fared across the scans of the audit period)
- schedulers: the operating systems' schedulers (systemd, launchd, Task Scheduler)
- scheduled_scans: install, inspect and remove an engagement's scheduled scan
"""
