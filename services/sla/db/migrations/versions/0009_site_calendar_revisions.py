"""Site time zones and calendar revisions

The SLA service tells the other services each site's calendar (`sla.site_calendar`): with the site's
time zone when it knows it, and a revision per site that counts up so that consumers keep the newest.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("timezone", sa.Text(), nullable=True), schema="sla")
    op.add_column(
        "sites",
        sa.Column("calendar_revision", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="sla",
    )


def downgrade() -> None:
    op.drop_column("sites", "calendar_revision", schema="sla")
    op.drop_column("sites", "timezone", schema="sla")
