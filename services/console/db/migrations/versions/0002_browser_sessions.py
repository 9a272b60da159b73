"""Browser sessions

The console's pages keep people signed in with a cookie; the table holds only its hash.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 16:14:50.346242
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("key_hash", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["console.people.username"], name=op.f("fk_sessions_username_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_sessions")),
        schema="console",
    )
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"], unique=False, schema="console")


def downgrade() -> None:
    op.drop_index("ix_sessions_expires_at", table_name="sessions", schema="console")
    op.drop_table("sessions", schema="console")
