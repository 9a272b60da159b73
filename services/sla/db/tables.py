"""The SLA service's own schema `sla`: policies, the facts heard about each ticket, clocks, timers."""

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
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import (
    idempotency_table,
    inbox_table,
    outbox_table,
    token_revocations_table,
)

metadata = schema_metadata("sla")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
token_revocations = token_revocations_table(metadata)

# Every version of every policy; a clock names the version it started under.
policies = Table(
    "policies",
    metadata,
    Column("code", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("document", JSONB, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
)

# The sites loaded from a site file or described by intake: the ones a policy may be given to.
sites = Table(
    "sites",
    metadata,
    Column("code", Text, primary_key=True),
    Column("known_since", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("timezone", Text),  # as intake describes the site or its site file says; None until then
    # Counts the calendars published for the site (sla.site_calendar): consumers keep the highest.
    Column("calendar_revision", Integer, nullable=False, server_default=text("0")),
)

site_policies = Table(
    "site_policies",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("policy_code", Text, nullable=False),
)

# The ticket events the clocks are computed from, whatever order they came in.
ticket_facts = Table(
    "ticket_facts",
    metadata,
    Column("message_id", Uuid, primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("received_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_ticket_facts_ticket_id", "ticket_id"),
)

clocks = Table(
    "clocks",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("cycle", Integer, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("policy_code", Text, nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("counting", Text, nullable=False),
    Column("started_at", TIMESTAMP(timezone=True), nullable=False),
    Column("due_at", TIMESTAMP(timezone=True)),
    Column("target_minutes", Integer, nullable=False),
    Column("day_type", Text, nullable=False),
    Column("calendar", Text, nullable=False),
    Column("stopped_at", TIMESTAMP(timezone=True)),
    Column("outcome", Text),
    Column("breached_at", TIMESTAMP(timezone=True)),
    Column("partner", Text),  # a vendor partner's clock: the partner, and the case it runs on
    Column("case_number", Text),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_clocks_site_code_started_at", "site_code", "started_at"),
    # The service manager's board reads the clocks still running, every time a ticket moves.
    Index("ix_clocks_running", "due_at", postgresql_where=text("stopped_at IS NULL")),
)

# Deadlines as rows: one per clock and share of its target (1.0 is the breach). A timer fires once:
# firing stamps it, and it is never re-armed. While its clock is paused its moment is unknown (NULL).
timers = Table(
    "timers",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("fraction", Float, nullable=False),
    Column("due_at", TIMESTAMP(timezone=True)),
    Column("fired_at", TIMESTAMP(timezone=True)),
    UniqueConstraint("ticket_id", "kind", "cycle", "fraction"),
    ForeignKeyConstraint(
        ["ticket_id", "kind", "cycle"],
        ["sla.clocks.ticket_id", "sla.clocks.kind", "sla.clocks.cycle"],
        ondelete="CASCADE",
    ),
    # The scheduler's only query path: armed, unfired timers by due time. Its size is the number of
    # pending timers, and a tick reads only the due ones from its front.
    Index("ix_timers_due", "due_at", postgresql_where=text("fired_at IS NULL AND due_at IS NOT NULL")),
)
