"""Forgotten sign-in failures found by their age

Counts an hour past their last wrong password are forgotten (domain/throttle.py); each attempt now
deletes a bounded number of them, found through this index, so that names and addresses tried once
(unknown names above all) do not stay for ever.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sign_in_failures_last_failure_at", "sign_in_failures", ["last_failure_at"], schema="console")


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_last_failure_at", table_name="sign_in_failures", schema="console")
