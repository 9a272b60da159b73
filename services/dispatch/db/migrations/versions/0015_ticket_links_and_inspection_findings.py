"""Ticket links and the inspection findings that open tickets

Tickets that belong together (a complaint and its job, a repeat report and the ticket it joined), each
link once from each side; and on a ticket opened by an inspection's failed item, which item it was.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("found_at", JSONB), schema="dispatch")
    op.create_index(
        "ix_tickets_found_at_visit",
        "tickets",
        [sa.text("(found_at ->> 'visit_id')")],
        schema="dispatch",
        postgresql_where=sa.text("found_at IS NOT NULL"),
    )
    op.create_table(
        "ticket_links",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("linked_ticket_id", sa.Text, primary_key=True),
        sa.Column("relation", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("linked_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
        sa.ForeignKeyConstraint(["linked_ticket_id"], ["dispatch.tickets.ticket_id"]),
        schema="dispatch",
    )


def downgrade() -> None:
    op.drop_table("ticket_links", schema="dispatch")
    op.drop_index("ix_tickets_found_at_visit", table_name="tickets", schema="dispatch")
    op.drop_column("tickets", "found_at", schema="dispatch")
