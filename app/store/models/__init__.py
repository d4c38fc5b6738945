"""SQLAlchemy 2 models: engagements, scans, results, evidence, exceptions, sign-offs,
Statement of Applicability decisions.

The same models serve an SQLite file and a PostgreSQL server. Types that differ:
- timestamps: `timestamp with time zone` on PostgreSQL; naive UTC in SQLite (it has
  no time zones). `UtcDateTime` adds and strips the zone, so Python code only ever
  sees aware UTC datetimes;
- JSON: `jsonb` on PostgreSQL, JSON text in SQLite;
- attachments: `bytea` / BLOB (`LargeBinary`).

By area: `base` (the declarative base, its naming convention and column types),
`engagement` (an engagement, its accounts and its decisions: control states, criterion
decisions, risk exceptions), `scan` (scans and their results), `evidence` (attachments
and evidence requests), `append_only` (sign-offs, the audit log, binder exports).
Importing this package maps every model, so `Base.metadata` is complete (Alembic).
"""

from app.store.models.append_only import (
    AppendOnlyViolation,
    AuditLogEntry,
    BinderExport,
    SignOff,
)
from app.store.models.base import Base, UtcDateTime, next_version
from app.store.models.engagement import (
    Account,
    ControlState,
    CriterionDecision,
    Engagement,
    RiskException,
)
from app.store.models.evidence import Attachment, EvidenceRequest
from app.store.models.scan import ResultRow, Scan

__all__ = [
    "Account",
    "AppendOnlyViolation",
    "Attachment",
    "AuditLogEntry",
    "Base",
    "BinderExport",
    "ControlState",
    "CriterionDecision",
    "Engagement",
    "EvidenceRequest",
    "ResultRow",
    "RiskException",
    "Scan",
    "SignOff",
    "UtcDateTime",
    "next_version",
]
