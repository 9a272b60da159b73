"""archive schema: documents and numbering

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:20:06.148238
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.persistence.kernel_tables import create_kernel_tables, drop_kernel_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "archive"


def upgrade() -> None:
    create_kernel_tables(SCHEMA)
    op.create_table(
        "document_sequences",
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site_code", "year", "category", name=op.f("pk_document_sequences")),
        schema="archive",
    )
    op.create_table(
        "documents",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_documents")),
        schema="archive",
    )
    op.create_index(
        "ix_documents_site_code_category_year",
        "documents",
        ["site_code", "category", "year"],
        unique=False,
        schema="archive",
    )
    op.create_index(
        "ix_documents_ticket_id",
        "documents",
        ["ticket_id"],
        unique=False,
        schema="archive",
    )
    op.create_index(
        "uq_documents_ticket_id_source",
        "documents",
        ["ticket_id", "source"],
        unique=True,
        schema="archive",
        postgresql_where=sa.text("ticket_id IS NOT NULL AND version = 1"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_documents_ticket_id_source",
        table_name="documents",
        schema="archive",
        postgresql_where=sa.text("ticket_id IS NOT NULL AND version = 1"),
    )
    op.drop_index("ix_documents_ticket_id", table_name="documents", schema="archive")
    op.drop_index("ix_documents_site_code_category_year", table_name="documents", schema="archive")
    op.drop_table("documents", schema="archive")
    op.drop_table("document_sequences", schema="archive")
    drop_kernel_tables(SCHEMA)
