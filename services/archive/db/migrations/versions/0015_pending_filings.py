"""Pending filings

Documents drafted from events wait here for their number and their link in the site's chain, which the
sequencer gives many of them at once, instead of each filing holding its site's numbering and chain
from its number to its commit (which filed one site's documents one at a time).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_filings",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("site_name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("images", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("serial_numbers", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("cause_id", sa.Uuid(), nullable=True),
        sa.Column("correlation_id", sa.Text(), nullable=False),
        sa.Column("drafted_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_filings")),
        schema="archive",
    )
    op.create_index(
        "ix_pending_filings_site_code_id", "pending_filings", ["site_code", "id"], unique=False, schema="archive"
    )
    op.create_index(
        "uq_pending_filings_ticket_id_source",
        "pending_filings",
        ["ticket_id", "source"],
        unique=True,
        schema="archive",
        postgresql_where=sa.text("ticket_id IS NOT NULL"),
    )
    op.create_index(
        "uq_pending_filings_site_code_source",
        "pending_filings",
        ["site_code", "source"],
        unique=True,
        schema="archive",
        postgresql_where=sa.text("ticket_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_pending_filings_site_code_source", table_name="pending_filings", schema="archive")
    op.drop_index("uq_pending_filings_ticket_id_source", table_name="pending_filings", schema="archive")
    op.drop_index("ix_pending_filings_site_code_id", table_name="pending_filings", schema="archive")
    op.drop_table("pending_filings", schema="archive")
