"""Mail positions

Each mail the e-mail hotline reads from a service mailbox, by its place there (mailbox, folder,
UIDVALIDITY, UID): taken once, then flagged or moved on the server after that commit; a mail whose taking
keeps failing is kept with its tries and last error.

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
    op.create_table(
        "mail_positions",
        sa.Column("mailbox", sa.Text(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_try_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.TIMESTAMP(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("settled_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("flagged_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("mailbox", "folder", "uidvalidity", "uid"),
        schema="intake",
    )
    op.create_index(
        "ix_mail_positions_unflagged",
        "mail_positions",
        ["mailbox", "folder"],
        schema="intake",
        postgresql_where=sa.text("flagged_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_mail_positions_unflagged", table_name="mail_positions", schema="intake")
    op.drop_table("mail_positions", schema="intake")
