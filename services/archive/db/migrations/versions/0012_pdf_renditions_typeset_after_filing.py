"""PDF renditions typeset after filing

The PDFs of documents filed from events are typeset by a background typesetter rather than in the
transaction of the event that filed them: each waits here with what its sheet is filled with, and
then keeps its PDF and SHA-256. Registers are still typeset as they are filed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "renditions",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("site_name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("images", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.Text(), nullable=True),
        sa.Column("filed_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("typeset_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_renditions")),
        schema="archive",
    )
    op.create_index(
        "ix_renditions_waiting",
        "renditions",
        ["filed_at"],
        unique=False,
        schema="archive",
        postgresql_where=sa.text("pdf IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_renditions_waiting", table_name="renditions", schema="archive", postgresql_where=sa.text("pdf IS NULL")
    )
    op.drop_table("renditions", schema="archive")
