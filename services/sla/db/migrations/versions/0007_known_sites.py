"""Known sites

The sites the SLA service knows: those loaded from a site file or described by intake. A site may be
put under a policy only once it is known. Sites with clocks or a policy already are known.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("known_since", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sites")),
        schema="sla",
    )
    op.execute(
        "INSERT INTO sla.sites (code) SELECT site_code FROM sla.clocks UNION SELECT site_code FROM sla.site_policies"
    )


def downgrade() -> None:
    op.drop_table("sites", schema="sla")
