"""The e-mail hotline's mails and acknowledgements

Every mail the service mailboxes received, what it became (a ticket, a note on its ticket, an unmatched
mail for the operator, a machine's mail kept and never answered) and why; and the acknowledgements sent.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mails",
        sa.Column("mail_id", sa.Uuid(), primary_key=True),
        sa.Column("message_id", sa.Text(), nullable=False, unique=True),
        sa.Column("mailbox", sa.Text(), nullable=False),
        sa.Column("received_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("sent_at", sa.TIMESTAMP(timezone=True)),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("sender_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("sender_verified", sa.Boolean(), nullable=False),
        sa.Column("reply_to", sa.Text()),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("references", ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("attachments", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("problems", ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("why", sa.Text()),
        sa.Column("site_code", sa.Text()),
        sa.Column("ticket_id", sa.Text()),
        sa.Column("handled_by", sa.Text()),
        sa.Column("handled_at", sa.TIMESTAMP(timezone=True)),
        schema="intake",
    )
    op.create_index("ix_mails_status_received_at", "mails", ["status", "received_at"], schema="intake")
    op.create_index("ix_mails_sender_received_at", "mails", ["sender", "received_at"], schema="intake")
    op.create_index("ix_mails_ticket_id", "mails", ["ticket_id"], schema="intake")

    op.create_table(
        "mail_replies",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("mail_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("to_address", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("send_after", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("sent_at", sa.TIMESTAMP(timezone=True)),
        sa.ForeignKeyConstraint(["mail_id"], ["intake.mails.mail_id"]),
        schema="intake",
    )
    op.create_index(
        "ix_mail_replies_due",
        "mail_replies",
        ["send_after"],
        schema="intake",
        postgresql_where=sa.text("status IN ('pending', 'sending')"),
    )


def downgrade() -> None:
    op.drop_table("mail_replies", schema="intake")
    op.drop_table("mails", schema="intake")
