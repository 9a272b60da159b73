"""Delivery receipts and WeCom application messages

Each notification keeps the provider's id for it and, where the provider reports delivery (Aliyun SMS),
whether it reached the phone: when, or the carrier's code for why not; the receipt poller's schedule
and lease. A contact may have a WeCom userid, for application messages to them alone.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "notify"


def upgrade() -> None:
    op.add_column("contacts", sa.Column("wecom_userid", sa.Text()), schema=SCHEMA)
    for column in (
        sa.Column("provider_message_id", sa.Text()),
        sa.Column("delivery", sa.Text()),
        sa.Column("delivery_error", sa.Text()),
        sa.Column("receipt_at", sa.TIMESTAMP(timezone=True)),
        sa.Column("receipt_polls", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("receipt_after", sa.TIMESTAMP(timezone=True)),
    ):
        op.add_column("notifications", column, schema=SCHEMA)
    op.create_index(
        "ix_notifications_receipts_due",
        "notifications",
        ["receipt_after"],
        unique=False,
        schema=SCHEMA,
        postgresql_where=sa.text("delivery = 'waiting'"),
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_receipts_due", table_name="notifications", schema=SCHEMA)
    for name in ("receipt_after", "receipt_polls", "receipt_at", "delivery_error", "delivery", "provider_message_id"):
        op.drop_column("notifications", name, schema=SCHEMA)
    op.drop_column("contacts", "wecom_userid", schema=SCHEMA)
