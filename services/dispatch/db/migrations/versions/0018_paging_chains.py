"""Paging chains

A site's paging chain (its site file's `paging`: whom to wake, in order, when nobody accepts a ticket by
its response clock's warning), and the chains under way, one row per ticket.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("paging", JSONB), schema="dispatch")
    op.create_table(
        "pagings",
        sa.Column("ticket_id", sa.Text(), primary_key=True),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("holder_engineer_id", sa.Text()),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("response_due_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("paged", ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("started_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
        schema="dispatch",
    )
    op.create_index("ix_pagings_next_at", "pagings", ["next_at"], schema="dispatch")


def downgrade() -> None:
    op.drop_index("ix_pagings_next_at", table_name="pagings", schema="dispatch")
    op.drop_table("pagings", schema="dispatch")
    op.drop_column("sites", "paging", schema="dispatch")
