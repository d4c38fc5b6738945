"""The local store: SQLite through SQLAlchemy 2, migrated by Alembic.

Start with `app.store.database.open_database(path)`; every repository function takes
a `Session` from `Database.session()` and records who did what in the audit log.

- database, dbfile, migrate: opening, checking, backing up and migrating the file
- engagements, accounts, scans, control_states, attachments, risk, signoffs, audit:
  repositories (no Qt, no boto3)
- decisions, soa_approvals: the Statement of Applicability's decisions and approvals
- control_status: the per-control status the checklist and the binder both show
- transfer, transfer_rows: one-file export and import of an engagement
- errors: the typed, user-facing problems (all `StoreError`)
"""
