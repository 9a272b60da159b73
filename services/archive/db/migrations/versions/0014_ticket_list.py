"""The ticket list

A line per ticket for the office's list, search and export (domain/ticket_list.py), kept from now on as
events are heard; the archive lists the tickets heard before from its timeline when it starts
(ticket_list_rebuild.py), holding each line's lock, so that events heard meanwhile are not lost.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_list",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("opened", sa.Boolean(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=True),
        sa.Column("site_name", sa.Text(), nullable=True),
        sa.Column("subsystem", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("priority", sa.Text(), nullable=True),
        sa.Column("priority_rank", sa.Integer(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("reporter_name", sa.Text(), nullable=True),
        sa.Column("reporter_phone", sa.Text(), nullable=True),
        sa.Column("asset_tag", sa.Text(), nullable=True),
        sa.Column("device_model", sa.Text(), nullable=True),
        sa.Column("serial_number", sa.Text(), nullable=True),
        sa.Column("reported_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("status_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("paused_from", sa.Text(), nullable=True),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("engineer_id", sa.Text(), nullable=True),
        sa.Column("engineer_name", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("closed_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("kind_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("clocks", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("next_due_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("search_pairs", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_list")),
        schema="archive",
    )
    op.create_index(
        "ix_ticket_list_reported_at",
        "ticket_list",
        [sa.text("reported_at DESC NULLS LAST"), sa.text("ticket_id DESC")],
        schema="archive",
    )
    op.create_index(
        "ix_ticket_list_site_code_reported_at",
        "ticket_list",
        ["site_code", sa.text("reported_at DESC NULLS LAST"), sa.text("ticket_id DESC")],
        schema="archive",
    )
    op.create_index(
        "ix_ticket_list_search_pairs", "ticket_list", ["search_pairs"], schema="archive", postgresql_using="gin"
    )
    op.create_index("ix_ticket_list_engineer_id", "ticket_list", ["engineer_id"], schema="archive")
    op.create_index(
        "ix_ticket_list_open_next_due_at",
        "ticket_list",
        ["next_due_at"],
        schema="archive",
        postgresql_where=sa.text("is_open"),
    )
    op.create_index(
        "ix_ticket_list_breached",
        "ticket_list",
        ["reported_at"],
        schema="archive",
        postgresql_where=sa.text("breached"),
    )
    op.create_index(
        "ix_ticket_list_search_text",
        "ticket_list",
        ["search_text"],
        schema="archive",
        postgresql_using="gin",
        postgresql_ops={"search_text": "archive.gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_table("ticket_list", schema="archive")  # the events it was folded from stay in the timeline
