"""registers and their signatures

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 13:49:27.009142

A site's monthly, quarterly and acceptance registers, each version filed as a document under the
register's code, and the signatures of both parties on a version; a register is locked once both
have signed its latest version.
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
        "register_signatures",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("signature_png", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", "version", "party", name=op.f("pk_register_signatures")),
        schema="archive",
    )
    op.create_table(
        "registers",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("locked_version", sa.Integer(), nullable=True),
        sa.Column("drawn_up_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("locked_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_registers")),
        sa.UniqueConstraint("site_code", "kind", "period", name="uq_registers_site_code_kind_period"),
        schema="archive",
    )


def downgrade() -> None:
    op.drop_table("registers", schema="archive")
    op.drop_table("register_signatures", schema="archive")
