"""Conflicts of phone actions queued offline

An action an engineer's phone queued offline that a service refused once sent, kept to be shown.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 17:06:13.496330
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phone_conflicts",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=True),
        sa.Column("happened_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_phone_conflicts")),
        schema="console",
    )
    op.create_index(
        "ix_phone_conflicts_recorded_at", "phone_conflicts", ["recorded_at"], unique=False, schema="console"
    )


def downgrade() -> None:
    op.drop_index("ix_phone_conflicts_recorded_at", table_name="phone_conflicts", schema="console")
    op.drop_table("phone_conflicts", schema="console")
