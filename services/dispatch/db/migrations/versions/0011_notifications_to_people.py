"""Notifications to people

Whom dispatch tells and how (contacts, with each person's channels per kind, quiet hours and
language), and each notification it decided to send: the text as sent, when it may go, and how it went.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("engineer_id", sa.Text(), nullable=True),
        sa.Column("site_codes", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("robot_kind", sa.Text(), nullable=True),
        sa.Column("robot_url", sa.Text(), nullable=True),
        sa.Column("robot_secret", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), server_default="zh", nullable=False),
        sa.Column("timezone", sa.Text(), server_default="Asia/Shanghai", nullable=False),
        sa.Column("quiet_hours", sa.Text(), nullable=True),
        sa.Column("channels", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_contacts")),
        schema="dispatch",
    )
    op.create_index("ix_contacts_engineer_id", "contacts", ["engineer_id"], unique=False, schema="dispatch")
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("notice_key", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=True),
        sa.Column("site_code", sa.Text(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("caused_by", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("send_after", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("first_tried_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("sent_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("notice_key", "username", "channel", name="uq_notifications_once"),
        schema="dispatch",
    )
    op.create_index(
        "ix_notifications_due",
        "notifications",
        ["send_after"],
        unique=False,
        schema="dispatch",
        postgresql_where=sa.text("status IN ('pending', 'sending')"),
    )
    op.create_index("ix_notifications_ticket_id", "notifications", ["ticket_id"], unique=False, schema="dispatch")
    op.create_index(
        "ix_notifications_username", "notifications", ["username", "created_at"], unique=False, schema="dispatch"
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_username", table_name="notifications", schema="dispatch")
    op.drop_index("ix_notifications_ticket_id", table_name="notifications", schema="dispatch")
    op.drop_index(
        "ix_notifications_due",
        table_name="notifications",
        schema="dispatch",
        postgresql_where=sa.text("status IN ('pending', 'sending')"),
    )
    op.drop_table("notifications", schema="dispatch")
    op.drop_index("ix_contacts_engineer_id", table_name="contacts", schema="dispatch")
    op.drop_table("contacts", schema="dispatch")
