"""Helpers for the store tests: the shipped head revision, and a newer set of migrations."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.paths import migrations_dir
from app.store.migrate import head_revision, script_directory

# The shipped head, the revision every fresh database is at.
HEAD = head_revision(script_directory())
NEWER = "9999_synthetic"  # the revision `newer_scripts` adds

SYNTHETIC = '''"""synthetic second revision (tests only)"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9999_synthetic"
down_revision = "HEAD"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("synthetic_notes", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("engagements") as batch:
        batch.add_column(sa.Column("colour", sa.String(20), nullable=False, server_default="blue"))
    FAIL_HERE


def downgrade() -> None:
    op.drop_table("synthetic_notes")
'''


def newer_scripts(tmp_path: Path, fail: bool) -> Path:
    """A copy of the shipped migrations plus revision 9999_synthetic on top of head
    (which raises in `upgrade()` when `fail`)."""
    scripts = tmp_path / "newer-migrations"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    body = SYNTHETIC.replace(
        "    FAIL_HERE\n", '    raise RuntimeError("synthetic failure")\n' if fail else ""
    ).replace('"HEAD"', repr(HEAD))
    (scripts / "versions" / "9999_synthetic.py").write_text(body)
    return scripts
