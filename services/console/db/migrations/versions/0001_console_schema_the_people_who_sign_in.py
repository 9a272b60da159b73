"""console schema: the people who sign in

Revision ID: 0001
Revises:
Create Date: 2026-11-27 15:11:40.192737

The console's schema: the kernel's outbox and inbox, and the people who sign in (their roles, the
engineer id or site they are bound to, and an Argon2id hash of their password).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("message_type", sa.Text(), nullable=False),
        sa.Column("processed_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id", name=op.f("pk_inbox")),
        schema="console",
    )
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"], unique=False, schema="console")
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("exchange", sa.Text(), nullable=False),
        sa.Column("routing_key", sa.Text(), nullable=False),
        sa.Column("message_type", sa.Text(), nullable=False),
        sa.Column("correlation_id", sa.Text(), nullable=False),
        sa.Column(
            "headers", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
        schema="console",
    )
    op.create_index(
        "ix_outbox_published_at",
        "outbox",
        ["published_at"],
        unique=False,
        schema="console",
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        unique=False,
        schema="console",
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "people",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("engineer_id", sa.Text(), nullable=True),
        sa.Column("site_code", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_people")),
        schema="console",
    )


def downgrade() -> None:
    op.drop_table("people", schema="console")
    op.drop_index(
        "ix_outbox_unpublished", table_name="outbox", schema="console", postgresql_where=sa.text("published_at IS NULL")
    )
    op.drop_index(
        "ix_outbox_published_at",
        table_name="outbox",
        schema="console",
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.drop_table("outbox", schema="console")
    op.drop_index("ix_inbox_processed_at", table_name="inbox", schema="console")
    op.drop_table("inbox", schema="console")
