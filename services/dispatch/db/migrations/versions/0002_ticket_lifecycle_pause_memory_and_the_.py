"""ticket lifecycle: pause memory and the ticket's history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:59:40.906691
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
        "ticket_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["dispatch.tickets.ticket_id"], name=op.f("fk_ticket_history_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_history")),
        schema="dispatch",
    )
    op.create_index("ix_ticket_history_ticket_id", "ticket_history", ["ticket_id"], unique=False, schema="dispatch")
    op.add_column("tickets", sa.Column("paused_from", sa.Text(), nullable=True), schema="dispatch")


def downgrade() -> None:
    op.drop_column("tickets", "paused_from", schema="dispatch")
    op.drop_index("ix_ticket_history_ticket_id", table_name="ticket_history", schema="dispatch")
    op.drop_table("ticket_history", schema="dispatch")
