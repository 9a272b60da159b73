"""Dispatch's own schema `dispatch`: sites, engineers and their duty, who serves and owns what,
tickets, assignments and each ticket's history; after the work, follow-up calls, site reviews and the
quality desk's cases; engineers' check-ins on site. The kernel's tables are in schema.py, planned
inspections in inspection_tables.py, notifications to people in notice_tables.py; all are named here
too, so that this module is the whole schema."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Boolean,
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

from services.dispatch.db.inspection_tables import inspection_plans as inspection_plans
from services.dispatch.db.inspection_tables import inspection_results as inspection_results
from services.dispatch.db.inspection_tables import inspection_visits as inspection_visits
from services.dispatch.db.notice_tables import contacts as contacts
from services.dispatch.db.notice_tables import notifications as notifications
from services.dispatch.db.schema import idempotency_keys as idempotency_keys
from services.dispatch.db.schema import inbox as inbox
from services.dispatch.db.schema import metadata as metadata
from services.dispatch.db.schema import outbox as outbox

engineers = Table(
    "engineers",
    metadata,
    Column("engineer_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("phone", Text),
    Column("skills", ARRAY(Text), nullable=False),
    Column("max_open_tickets", Integer, nullable=False),
)

# The sites dispatch serves, for the time zone their rosters are kept in, and where they are, to check
# an engineer's arrival against.
sites = Table(
    "sites",
    metadata,
    Column("code", Text, primary_key=True),
    Column("timezone", Text, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("arrival_radius_m", Float),
)

# Each check-in on site: where the phone was, and whether that agrees with the site (arrival.py).
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
    Column("appointment_starts", TIMESTAMP(timezone=True)),  # the window agreed with the customer
    Column("appointment_ends", TIMESTAMP(timezone=True)),
    Column("appointment_agreed_with", Text),
    Column("reported_at", TIMESTAMP(timezone=True), nullable=False),
    Column("reporter", JSONB),
    Column("device", JSONB),  # the device the ticket names, as intake's register had it
    Column("coverage", JSONB),
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

# The quality desk's cases: complaints and low satisfaction scores, and what was done about each.
quality_cases = Table(
    "quality_cases",
    metadata,
    Column("case_id", BigInteger, Identity(), primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("ticket_id", Text),
    Column("origin", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("subject_engineer_id", Text),  # the engineer the complaint is about, who never handles it
    Column("owner", Text),
    Column("escalated_to", Text),
    Column("escalated_at", TIMESTAMP(timezone=True)),
    Column("handling", Text),
    Column("answer", Text),
    Column("answered_at", TIMESTAMP(timezone=True)),
    Column("opened_at", TIMESTAMP(timezone=True), nullable=False),
    Index("ix_quality_cases_status", "status"),
    Index("ix_quality_cases_ticket_id", "ticket_id"),
)

quality_case_history = Table(
    "quality_case_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_id", BigInteger, nullable=False),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("note", Text),
    Column("at", TIMESTAMP(timezone=True), nullable=False),
    ForeignKeyConstraint(["case_id"], ["dispatch.quality_cases.case_id"]),
    Index("ix_quality_case_history_case_id", "case_id"),
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
