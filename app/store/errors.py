"""Expected trouble with the local store, each with a message a person can act on.

The UI shows `str(error)` inline or in the status bar; the CLI prints it and exits
non-zero. Anything not derived from `StoreError` is a bug.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every expected store problem."""


class CorruptDatabase(StoreError):
    """The file is not SQLite, or SQLite finds it damaged. It was left untouched."""


class NotAnAuditBinderDatabase(StoreError):
    """A valid SQLite file that some other program wrote. It was left untouched."""


class NewerSchema(StoreError):
    """The file was written by a newer Audit Binder (an unknown schema revision)."""


class DatabaseLocked(StoreError):
    """Another program holds the write lock for longer than the busy timeout."""


class MigrationFailed(StoreError):
    """Upgrading the schema failed; the backup taken before it is named in the message."""


class NotFound(StoreError):
    """A record the caller asked for does not exist (any more)."""


class NameTaken(StoreError):
    """An engagement with that name already exists."""


class InvalidInput(StoreError):
    """A value the user typed or chose cannot be stored as given."""


class TransferError(StoreError):
    """An engagement file cannot be read or imported; the database was not changed."""


class TamperedFile(TransferError):
    """An engagement file's contents do not match the hashes recorded in it."""


class StoreUnreachable(StoreError):
    """A server store cannot be reached or dropped the connection; nothing was written."""


class UpgradeNotAsked(StoreError):
    """A server store's schema is behind; it is upgraded only by `audit-binder db upgrade`."""


class EditConflict(StoreError):
    """Someone else changed the record since the editor read it; this edit was refused."""
