"""Qt-free application services: what the GUI, the CLI and the binder share.

- ledger, ledger_model, ledger_math, ledger_words: the period ledger (how each control
  fared across the scans of the audit period)
- schedulers: scheduled scans with the operating system's own scheduler
"""
