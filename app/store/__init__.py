"""The store: SQLAlchemy 2 over an SQLite file or a PostgreSQL server, migrated by Alembic.

Start with `app.store.database.open_database(path_or_url)`; every repository function
takes a `Session` from `Database.session()` and records who did what in the audit log.

- location: a path or a URL, parsed in one place, shown with the password masked
- database, dbfile, sqlite_engine, server, migrate: opening, checking, backing up and
  migrating a file or a server store
- limits: what fits a column on both back ends, checked before writing
- engagements, accounts, scans, control_states, attachments, risk, signoffs, audit:
  repositories (no Qt, no boto3)
- decisions, soa_approvals: the Statement of Applicability's decisions and approvals
- control_status: the per-control status the checklist and the binder both show
- transfer, transfer_export, transfer_import, transfer_rows: one-file export and import
  of an engagement (the file format, writing it, reading and checking it, row fields)
- errors: the typed, user-facing problems (all `StoreError`)
"""
