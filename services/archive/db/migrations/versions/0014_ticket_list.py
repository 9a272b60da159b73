"""The ticket list

A line per ticket for the office's list, search and export (domain/ticket_list.py), kept from now on as
events are heard and built here from the timeline for the tickets heard before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from services.archive.db.ticket_list import row_of
from services.archive.domain.story import as_event
from services.archive.domain.ticket_list import SHOWN, TicketLine, advance

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TICKETS_AT_ONCE = 500

# The tables as this revision knows them, not as the models may later have them.
timeline = sa.table(
    "timeline",
    *(sa.column(name) for name in ("ticket_id", "type", "schema_version", "payload", "occurred_at", "recorded_at")),
    schema="archive",
)


def upgrade() -> None:
    op.create_table(
        "ticket_list",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("opened", sa.Boolean(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=True),
        sa.Column("site_name", sa.Text(), nullable=True),
        sa.Column("subsystem", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("priority", sa.Text(), nullable=True),
        sa.Column("priority_rank", sa.Integer(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("reporter_name", sa.Text(), nullable=True),
        sa.Column("reporter_phone", sa.Text(), nullable=True),
        sa.Column("asset_tag", sa.Text(), nullable=True),
        sa.Column("device_model", sa.Text(), nullable=True),
        sa.Column("serial_number", sa.Text(), nullable=True),
        sa.Column("reported_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("status_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("paused_from", sa.Text(), nullable=True),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("engineer_id", sa.Text(), nullable=True),
        sa.Column("engineer_name", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("closed_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("kind_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("clocks", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("next_due_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("search_pairs", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_list")),
        schema="archive",
    )
    op.create_index(
        "ix_ticket_list_reported_at",
        "ticket_list",
        [sa.text("reported_at DESC NULLS LAST"), sa.text("ticket_id DESC")],
        schema="archive",
    )
    op.create_index(
        "ix_ticket_list_site_code_reported_at",
        "ticket_list",
        ["site_code", sa.text("reported_at DESC NULLS LAST"), sa.text("ticket_id DESC")],
        schema="archive",
    )
    op.create_index(
        "ix_ticket_list_search_pairs", "ticket_list", ["search_pairs"], schema="archive", postgresql_using="gin"
    )
    op.create_index("ix_ticket_list_engineer_id", "ticket_list", ["engineer_id"], schema="archive")
    op.create_index(
        "ix_ticket_list_open_next_due_at",
        "ticket_list",
        ["next_due_at"],
        schema="archive",
        postgresql_where=sa.text("is_open"),
    )
    op.create_index(
        "ix_ticket_list_breached",
        "ticket_list",
        ["reported_at"],
        schema="archive",
        postgresql_where=sa.text("breached"),
    )
    op.create_index(
        "ix_ticket_list_search_text",
        "ticket_list",
        ["search_text"],
        schema="archive",
        postgresql_using="gin",
        postgresql_ops={"search_text": "archive.gin_trgm_ops"},
    )
    _lines_of_the_tickets_heard_before()


def _lines_of_the_tickets_heard_before() -> None:
    """Each ticket's events replayed through the list's own rule, a few hundred tickets at a time."""
    bind = op.get_bind()
    shown = [event.message_type for event in SHOWN]
    after = ""
    while True:
        tickets = (
            bind.execute(
                sa.select(timeline.c.ticket_id)
                .where(timeline.c.ticket_id > after, timeline.c.type.in_(shown))
                .group_by(timeline.c.ticket_id)
                .order_by(timeline.c.ticket_id)
                .limit(TICKETS_AT_ONCE)
            )
            .scalars()
            .all()
        )
        if not tickets:
            return
        events = bind.execute(
            sa.select(
                timeline.c.ticket_id, timeline.c.type, timeline.c.schema_version, timeline.c.payload,
                timeline.c.occurred_at,
            )
            .where(timeline.c.ticket_id.in_(tickets), timeline.c.type.in_(shown))
            .order_by(timeline.c.ticket_id, timeline.c.occurred_at, timeline.c.recorded_at)
        )  # fmt: skip
        lines = {ticket_id: TicketLine(ticket_id) for ticket_id in tickets}
        for ticket_id, message_type, schema_version, payload, occurred_at in events:
            event = as_event(message_type, schema_version, payload)
            if event is not None:
                lines[ticket_id] = advance(lines[ticket_id], event, occurred_at)
        kept = [row_of(line) for line in lines.values()]
        typed: dict[str, Any] = {"clocks": postgresql.JSONB(), "search_pairs": postgresql.ARRAY(sa.Text())}
        columns = [sa.column(name, typed.get(name)) for name in kept[0]]
        bind.execute(sa.insert(sa.table("ticket_list", *columns, schema="archive")), kept)
        after = tickets[-1]


def downgrade() -> None:
    op.drop_table("ticket_list", schema="archive")  # the events it was folded from stay in the timeline
