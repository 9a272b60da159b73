"""The follow-ups' tables: the call after each resolution of a ticket, each call made, and the periodic
satisfaction review of each site."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Boolean,
    Column,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    func,
    text,
)

from services.dispatch.db.schema import metadata

# The call after each resolution of a ticket (cycle 2 follows the second resolution, after a reopening).
follow_ups = Table(
    "follow_ups",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("cycle", Integer, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("desk", Text, nullable=False),
    Column("due_at", TIMESTAMP(timezone=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("outcome", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("completed_at", TIMESTAMP(timezone=True)),
    ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
    Index("ix_follow_ups_due", "due_at", postgresql_where=text("status = 'due'")),
)


follow_up_calls = Table(
    "follow_up_calls",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("called_at", TIMESTAMP(timezone=True), nullable=False),
    Column("caller", Text, nullable=False),
    Column("reached", Boolean, nullable=False),
    Column("satisfaction", Integer),
    Column("comments", Text),
    Column("outcome", Text, nullable=False),
    Column("answered_by", Text),  # customer: they answered themselves (the console, or its link in an e-mail)
    ForeignKeyConstraint(["ticket_id", "cycle"], ["dispatch.follow_ups.ticket_id", "dispatch.follow_ups.cycle"]),
)


# The periodic satisfaction review of each site (quarterly by default).
site_reviews = Table(
    "site_reviews",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("reached", Boolean, nullable=False),
    Column("satisfaction", Integer),
    Column("comments", Text),
    Column("reviewer", Text, nullable=False),
    Column("reviewed_at", TIMESTAMP(timezone=True), nullable=False),
    Index("ix_site_reviews_site_code_period", "site_code", "period"),
)
