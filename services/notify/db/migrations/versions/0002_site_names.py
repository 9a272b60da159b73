"""Site names

What people call each site and its subsystems, as intake describes them (`site.described`): notices
name them in the reader's language rather than by their codes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("code", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("local_name", sa.Text()),
        sa.Column("subsystems", postgresql.JSONB()),
        sa.Column("described_at", sa.TIMESTAMP(timezone=True), nullable=False),
        schema="notify",
    )


def downgrade() -> None:
    op.drop_table("sites", schema="notify")
