"""vendor schema: escalations

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:20:05.998680
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.persistence.kernel_tables import create_kernel_tables, drop_kernel_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "vendor"


def upgrade() -> None:
    create_kernel_tables(SCHEMA)
    op.create_table(
        "escalations",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("vendor_code", sa.Text(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("subsystem", sa.Text(), nullable=False),
        sa.Column("asset_tag", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column(
            "received_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("ticket_id", "vendor_code", name=op.f("pk_escalations")),
        schema="vendor",
    )


def downgrade() -> None:
    op.drop_table("escalations", schema="vendor")
    drop_kernel_tables(SCHEMA)
