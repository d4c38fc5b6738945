"""Recurring evidence: evidence requests with their recurrence and due date, and the day
each attachment is effective for.

`evidence_requests`: an engagement's manual evidence requests (a catalogue item's chosen
recurrence, or a request the user added); engagements from before have none (each
catalogue item keeps its catalogue default). `attachments.effective_on`: the day the
evidence is for; files from before have none (the day they were added counts).

Written like 0002 and 0003: timestamps carry their time zone on PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("control_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recurrence", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_evidence_requests_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_requests")),
        sa.UniqueConstraint(
            "engagement_id",
            "control_id",
            "item_id",
            name=op.f("uq_evidence_requests_engagement_id"),
        ),
    )
    with op.batch_alter_table("evidence_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_requests_engagement_id"), ["engagement_id"], unique=False
        )

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("effective_on")

    with op.batch_alter_table("evidence_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_requests_engagement_id"))

    op.drop_table("evidence_requests")
