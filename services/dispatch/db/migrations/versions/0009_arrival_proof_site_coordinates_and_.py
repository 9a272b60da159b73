"""Arrival proof: site coordinates and check-ins

Sites get coordinates and a radius; each arrival keeps where the phone was and what that proved.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 17:01:21.014619
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "arrivals",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("engineer_id", sa.Text(), nullable=True),
        sa.Column("arrived_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("doubt", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrivals")),
        schema="dispatch",
    )
    op.create_index(
        "ix_arrivals_flagged",
        "arrivals",
        ["arrived_at"],
        unique=False,
        schema="dispatch",
        postgresql_where=sa.text("doubt IS NOT NULL"),
    )
    op.create_index("ix_arrivals_ticket_id", "arrivals", ["ticket_id"], unique=False, schema="dispatch")
    op.add_column("sites", sa.Column("latitude", sa.Float(), nullable=True), schema="dispatch")
    op.add_column("sites", sa.Column("longitude", sa.Float(), nullable=True), schema="dispatch")
    op.add_column("sites", sa.Column("arrival_radius_m", sa.Float(), nullable=True), schema="dispatch")


def downgrade() -> None:
    op.drop_column("sites", "arrival_radius_m", schema="dispatch")
    op.drop_column("sites", "longitude", schema="dispatch")
    op.drop_column("sites", "latitude", schema="dispatch")
    op.drop_index("ix_arrivals_ticket_id", table_name="arrivals", schema="dispatch")
    op.drop_index(
        "ix_arrivals_flagged", table_name="arrivals", schema="dispatch", postgresql_where=sa.text("doubt IS NOT NULL")
    )
    op.drop_table("arrivals", schema="dispatch")
