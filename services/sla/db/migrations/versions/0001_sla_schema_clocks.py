"""sla schema: clocks

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:20:05.816690
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.persistence.kernel_tables import create_kernel_tables, drop_kernel_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sla"


def upgrade() -> None:
    create_kernel_tables(SCHEMA)
    op.create_table(
        "clocks",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("started_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("due_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("target_minutes", sa.Integer(), nullable=False),
        sa.Column("day_type", sa.Text(), nullable=False),
        sa.Column("calendar", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("ticket_id", "kind", name=op.f("pk_clocks")),
        schema="sla",
    )
    op.create_index(
        "ix_clocks_due_at_running",
        "clocks",
        ["due_at"],
        unique=False,
        schema="sla",
        postgresql_where="status = 'running'",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_clocks_due_at_running",
        table_name="clocks",
        schema="sla",
        postgresql_where="status = 'running'",
    )
    op.drop_table("clocks", schema="sla")
    drop_kernel_tables(SCHEMA)
