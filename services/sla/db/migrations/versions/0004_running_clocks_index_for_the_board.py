"""Running clocks index for the board

The console's board lists every clock still running with its deadline, each time a ticket moves.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 16:13:14.335999
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_clocks_running",
        "clocks",
        ["due_at"],
        unique=False,
        schema="sla",
        postgresql_where=sa.text("stopped_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_clocks_running", table_name="clocks", schema="sla", postgresql_where=sa.text("stopped_at IS NULL")
    )
