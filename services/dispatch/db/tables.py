"""Dispatch's own schema `dispatch`: sites, engineers and their duty, who serves and owns what,
tickets, assignments and each ticket's history."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
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
from sqlalchemy.dialects.postgresql import ARRAY

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import inbox_table, outbox_table

metadata = schema_metadata("dispatch")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

engineers = Table(
    "engineers",
    metadata,
    Column("engineer_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("phone", Text),
    Column("skills", ARRAY(Text), nullable=False),
    Column("max_open_tickets", Integer, nullable=False),
)

# The sites dispatch serves, for the time zone their rosters are kept in.
sites = Table(
    "sites",
    metadata,
    Column("code", Text, primary_key=True),
    Column("timezone", Text, nullable=False),
)

# Shifts, on-call periods and leave: local wall times at a site, once or repeating (an RRULE).
duty_periods = Table(
    "duty_periods",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("engineer_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("starts", TIMESTAMP(timezone=False), nullable=False),
    Column("ends", TIMESTAMP(timezone=False), nullable=False),
    Column("timezone", Text, nullable=False),
    Column("repeat", Text),
    Column("note", Text),
    Column("created_by", Text, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["engineer_id"], ["dispatch.engineers.engineer_id"]),
    Index("ix_duty_periods_engineer_id", "engineer_id"),
)

# Which engineers serve which site: only they are candidates for that site's tickets.
site_engineers = Table(
    "site_engineers",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("engineer_id", Text, primary_key=True),
    ForeignKeyConstraint(["engineer_id"], ["dispatch.engineers.engineer_id"]),
)

ownerships = Table(
    "ownerships",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("subsystem", Text, primary_key=True),
    Column("engineer_id", Text, nullable=False),
    ForeignKeyConstraint(["engineer_id"], ["dispatch.engineers.engineer_id"]),
)

tickets = Table(
    "tickets",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("subsystem", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("paused_from", Text),
    Column("queue", Text, nullable=False),
    Column("waiting_since", TIMESTAMP(timezone=True)),  # in the service manager's queue since
    Column("waiting_why", Text),
    Column("at_risk_since", TIMESTAMP(timezone=True)),  # the response clock warned before anyone accepted
    Column("reported_at", TIMESTAMP(timezone=True), nullable=False),
    Column("opened_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_tickets_status", "status"),
    Index("ix_tickets_waiting", "waiting_since", postgresql_where=text("status = 'awaiting_assignment'")),
)

# One row per ticket at most: the primary key is what makes double assignment impossible.
assignments = Table(
    "assignments",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("engineer_id", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("assigned_at", TIMESTAMP(timezone=True), nullable=False),
    ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
    ForeignKeyConstraint(["engineer_id"], ["dispatch.engineers.engineer_id"]),
    Index("ix_assignments_engineer_id", "engineer_id"),
)

# The ticket's record: every move, when it happened in the field and when it was recorded.
ticket_history = Table(
    "ticket_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("at", TIMESTAMP(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("note", Text),
    Column("recorded_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
    Index("ix_ticket_history_ticket_id", "ticket_id"),
)
