"""The tickets' tables: each ticket, who it is assigned to, its history (who acted), the tickets it
belongs with, the engineers' check-ins on site, and its escalations to vendor partners."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Column,
    Float,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.dispatch.db.schema import metadata

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
    Column("waiting_facts", JSONB),  # why, as codes and figures the pages word in their reader's language
    Column("at_risk_since", TIMESTAMP(timezone=True)),  # the response clock warned before anyone accepted
    Column("appointment_starts", TIMESTAMP(timezone=True)),  # the window agreed with the customer
    Column("appointment_ends", TIMESTAMP(timezone=True)),
    Column("appointment_agreed_with", Text),
    Column("reported_at", TIMESTAMP(timezone=True), nullable=False),
    Column("reporter", JSONB),
    Column("device", JSONB),  # the device the ticket names, as intake's register had it
    Column("coverage", JSONB),
    Column("found_at", JSONB),  # the inspection's failed item that opened it
    Column("opened_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_tickets_status", "status"),
    Index(
        "ix_tickets_found_at_visit", text("(found_at ->> 'visit_id')"), postgresql_where=text("found_at IS NOT NULL")
    ),
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
    Column("facts", JSONB),  # what the note says, as codes and figures the pages word; None on older rows
    Column("recorded_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
    Index("ix_ticket_history_ticket_id", "ticket_id"),
)


# Tickets that belong together (tickets/domain/links.py): each link once from each side.
ticket_links = Table(
    "ticket_links",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("linked_ticket_id", Text, primary_key=True),
    Column("relation", Text, primary_key=True),
    Column("reason", Text),
    Column("actor", Text, nullable=False),
    Column("linked_at", TIMESTAMP(timezone=True), nullable=False),
    ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
    ForeignKeyConstraint(["linked_ticket_id"], ["dispatch.tickets.ticket_id"]),
)


# Each check-in on site: where the phone was, and whether that agrees with the site (domain/arrival.py).
arrivals = Table(
    "arrivals",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("site_code", Text, nullable=False),
    Column("engineer_id", Text),
    Column("arrived_at", TIMESTAMP(timezone=True), nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("accuracy_m", Float),
    Column("distance_m", Float),
    Column("doubt", Text),  # None: the position agrees with the site
    Column("recorded_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_arrivals_flagged", "arrived_at", postgresql_where=text("doubt IS NOT NULL")),
    Index("ix_arrivals_ticket_id", "ticket_id"),
)


# Escalations of a ticket to a vendor partner, and whether each is still open (the ticket waits for them).
escalations = Table(
    "escalations",
    metadata,
    Column("escalation_id", Text, primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("vendor_code", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("case_number", Text),
    Column("outcome", Text),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False),
    Column("closed_at", TIMESTAMP(timezone=True)),
    ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
    Index("ix_escalations_ticket_id", "ticket_id"),
)


# The paging chains under way (tickets/paging.py): a ticket nobody accepted by its response clock's
# warning, the step of its site's chain to take next and when. Gone when the chain ends or is moot.
pagings = Table(
    "pagings",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("holder_engineer_id", Text),  # who held it, not accepting, when the chain began
    Column("next_step", Integer, nullable=False),  # an index into the site's steps
    Column("next_at", TIMESTAMP(timezone=True), nullable=False),
    Column("response_due_at", TIMESTAMP(timezone=True), nullable=False),
    Column("paged", ARRAY(Text), nullable=False, server_default="{}"),  # the engineers paged so far
    Column("started_at", TIMESTAMP(timezone=True), nullable=False),
    ForeignKeyConstraint(["ticket_id"], ["dispatch.tickets.ticket_id"]),
    Index("ix_pagings_next_at", "next_at"),
)
