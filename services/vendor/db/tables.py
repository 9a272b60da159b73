"""Vendor's own schema `vendor`: the partners and their agreements, the cases with their history, and
the directory of sites and devices it keeps from intake's events."""

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
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import (
    idempotency_table,
    inbox_table,
    outbox_table,
    token_revocations_table,
)
from shared.persistence.site_calendars import site_calendars_table

metadata = schema_metadata("vendor")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
token_revocations = token_revocations_table(metadata)

partners = Table(
    "partners",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("contacts", JSONB, nullable=False),
    Column("broker_user", Text, nullable=False, unique=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
)

# Every version of every partner's agreement; a case keeps the version it was sent under.
agreements = Table(
    "agreements",
    metadata,
    Column("partner", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("terms", JSONB, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["partner"], ["vendor.partners.code"]),
)

cases = Table(
    "cases",
    metadata,
    Column("number", BigInteger, Identity(), primary_key=True),
    Column("escalation_id", Text, nullable=False, unique=True),
    Column("ticket_id", Text, nullable=False),
    Column("partner", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("site_code", Text, nullable=False),
    Column("asset_tag", Text),
    Column("escalation", JSONB, nullable=False),  # what dispatch asked for
    Column("request", JSONB),  # the escalation request as the partner got it
    Column("agreement_version", Integer),
    Column("rma_number", Text),
    Column("new_serial_number", Text),
    # When the partner says it sent the latest step taken (its envelope's occurred_at): a reply the
    # partner sent before that one, processed after it, is late and moves the case nowhere.
    Column("partner_step_at", TIMESTAMP(timezone=True)),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_cases_ticket_id", "ticket_id"),
    Index("ix_cases_partner_status", "partner", "status"),
)

case_history = Table(
    "case_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_number", BigInteger, nullable=False),
    Column("step", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("detail", JSONB, nullable=False),
    Column("at", TIMESTAMP(timezone=True), nullable=False),
    ForeignKeyConstraint(["case_number"], ["vendor.cases.number"]),
    Index("ix_case_history_case_number", "case_number"),
)

# What the vendor service knows of sites and devices, from intake's site.described and equipment.changed.
sites = Table(
    "sites",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("representative", JSONB),
)

# Each site's calendar as the SLA service tells it (sla.site_calendar): a repair's working days count on it.
site_calendars = site_calendars_table(metadata)

devices = Table(
    "devices",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("asset_tag", Text, primary_key=True),
    Column("device", JSONB, nullable=False),
    Column("changed_at", TIMESTAMP(timezone=True), nullable=False),
)
