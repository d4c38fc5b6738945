"""Application services: what the CLI, the binder and the GUI do, without Qt.

Most functions take an ORM session (from `Database.session()`), the engagement and,
when they change something, the actor; results are typed, frozen dataclasses.

- soa: the Statement of Applicability (rows, progress, decisions, approval, SOC 2 scope)
- soa_model: its row, state and request types, the table's filter and grouping
- implementation: a criterion's implementation status, derived from its controls
- soa_table: the SoA as CSV or XLSX, and a CSV read back for `apply_table`
- soa_view, soa_files, soa_edits: what the app's SoA screen shows, its files and its
  changes (these take the open `Database`; see below)
- engagement_setup: a new engagement's SOC 2 scope, started from another's decisions
- checklist: the checklist's order and kind filter (next / previous follow it)
- next_steps: what to do next in an engagement (the dashboard's list)
- ledger, ledger_model, ledger_math, ledger_words: the period ledger (how each control
  fared across the scans of the audit period)
- recurring, recurring_model: recurring evidence (due dates, effective dates, what is
  overdue) and setting a request's recurrence or a file's effective date, adding or
  removing a request of the user's own
- schedulers: the operating systems' schedulers (systemd, launchd, Task Scheduler)
- scheduled_scans: install, inspect and remove an engagement's scheduled scan
- team_store: which store the GUI opens, and a team store's password (keyring)

What the app's screens read and write (each takes the open `Database` and opens its own
short-lived session; writes take the actor):

- engagements: the engagements list, create / update / delete / export / import, the
  dashboard's counts
- framework_summary: controls per framework by outcome (dashboard, checklist, binder)
- control_statuses: the checklist's statuses and tallies, a stale sign-off's reasons
- control_model, control_page: what the control page shows, read in one session
- control_edits: the control page's writes and their request types
- control_period: one control across the audit period (ledger, evidence requests) and
  the evidence tab's recurring-evidence writes (`NewRequest`)
- scan_history: every scan of an engagement and what changed since the one before
- soa_view (`load_view`), soa_edits, soa_files (`import_table`): the SoA screen's read
  and writes; a decision changed since it was read is refused (`EditConflict`)
- next_steps (`load_next_steps`): the dashboard's "What to do next"
- binder: the PDF evidence binder, for the GUI's export and `audit-binder export`
"""
