"""Webhooks schema: subscriptions and deliveries

The webhooks service's own schema: the kernel's tables, the subscriptions and every delivery.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 17:46:49.681175
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.persistence.kernel_tables import (
    add_idempotency_fingerprint,
    create_idempotency_table,
    create_kernel_tables,
    drop_idempotency_table,
    drop_kernel_tables,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "webhooks"


def upgrade() -> None:
    create_kernel_tables(SCHEMA)
    create_idempotency_table(SCHEMA)
    add_idempotency_fingerprint(SCHEMA)
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("delivered_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("subscription_id", "message_id", name=op.f("uq_deliveries_subscription_id_message_id")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["next_attempt_at"],
        unique=False,
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("event_types", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("paused_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("paused_why", sa.Text(), nullable=True),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        schema=SCHEMA,
    )
    op.create_index("ix_subscriptions_site_code", "subscriptions", ["site_code"], unique=False, schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_subscriptions_site_code", table_name="subscriptions", schema=SCHEMA)
    op.drop_table("subscriptions", schema=SCHEMA)
    op.drop_index(
        "ix_deliveries_due", table_name="deliveries", schema=SCHEMA, postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_table("deliveries", schema=SCHEMA)
    drop_idempotency_table(SCHEMA)
    drop_kernel_tables(SCHEMA)
