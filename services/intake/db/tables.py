"""Intake's own schema `intake`: sites and their contracts, the equipment register with its history
and the stays of each serial number in it, service requests and their reclassifications, requests
that could not become tickets, the place of each mail read from the service mailboxes."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Column,
    Date,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import (
    idempotency_table,
    inbox_table,
    outbox_table,
    token_revocations_table,
)

metadata = schema_metadata("intake")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
token_revocations = token_revocations_table(metadata)

sites = Table(
    "sites",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("local_name", Text),
    Column("address", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("customer", Text, nullable=False),
)

# A site's maintenance contracts, one per period (a renewal is a new contract).
contracts = Table(
    "contracts",
    metadata,
    Column("code", Text, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("covered_subsystems", ARRAY(Text), nullable=False),
    Column("sla_policy", Text),
    Column("customer_representative", JSONB, nullable=False),
    Column("quality_desk", JSONB, nullable=False),
    Column("contacts", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["site_code"], ["intake.sites.code"]),
    Index("ix_contracts_site_code", "site_code"),
)

subsystems = Table(
    "subsystems",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("local_name", Text),
    ForeignKeyConstraint(["site_code"], ["intake.sites.code"]),
)

equipment = Table(
    "equipment",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("asset_tag", Text, primary_key=True),
    Column("subsystem", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("manufacturer", Text, nullable=False),
    Column("location", Text),
    Column("quantity", Integer, nullable=False),
    Column("serial_number", Text),
    Column("vendor_code", Text),
    Column("install_date", Date),
    Column("warranty_until", Date),
    Column("status", Text, nullable=False, server_default="in_service"),
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["site_code", "subsystem"], ["intake.subsystems.site_code", "intake.subsystems.code"]),
    # A manufacturer's serial number names one device, across every site.
    Index(
        "uq_equipment_manufacturer_serial",
        func.lower(text("manufacturer")),
        func.lower(text("serial_number")),
        unique=True,
        postgresql_where=text("serial_number IS NOT NULL"),
    ),
)

# Every change of a device: who, when, why, and each field's old and new value.
equipment_history = Table(
    "equipment_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("asset_tag", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text),
    Column("changes", JSONB, nullable=False),
    Column("at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_equipment_history_site_code_asset_tag", "site_code", "asset_tag"),
)

# Each stay of a serial number in a place of the register: how it came, when, and why it left.
serial_stays = Table(
    "serial_stays",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("asset_tag", Text, nullable=False),
    Column("manufacturer", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("serial_number", Text, nullable=False),
    Column("install_date", Date),
    Column("warranty_until", Date),
    Column("arrival", Text, nullable=False),
    Column("arrived_at", TIMESTAMP(timezone=True), nullable=False),
    Column("arrival_details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("departure", Text),
    Column("departed_at", TIMESTAMP(timezone=True)),
    Column("departure_details", JSONB),
    # One serial in a place at a time.
    Index("uq_serial_stays_place", "site_code", "asset_tag", unique=True, postgresql_where=text("departed_at IS NULL")),
    Index("ix_serial_stays_serial", func.lower(text("serial_number"))),
)

service_requests = Table(
    "service_requests",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("request_id", Text, unique=True),
    Column("content_sha256", Text),  # of what the request said, for a request id sent again
    Column("fingerprint", Text, nullable=False),
    Column("site_code", Text, nullable=False),
    Column("subsystem", Text, nullable=False),
    Column("asset_tag", Text),
    Column("kind", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("reporter", JSONB, nullable=False),
    Column("reported_at", TIMESTAMP(timezone=True), nullable=False),
    Column("received_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("coverage", JSONB),
    Column("repeat_count", Integer, nullable=False, server_default="0"),
    Column("last_repeated_at", TIMESTAMP(timezone=True)),
    ForeignKeyConstraint(["site_code", "subsystem"], ["intake.subsystems.site_code", "intake.subsystems.code"]),
    Index("ix_service_requests_fingerprint_received_at", "fingerprint", "received_at"),
)

# Changes of a ticket's kind or priority after it opened, with who made them and why.
request_changes = Table(
    "request_changes",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("changes", JSONB, nullable=False),
    Column("at", TIMESTAMP(timezone=True), nullable=False),
    ForeignKeyConstraint(["ticket_id"], ["intake.service_requests.ticket_id"]),
    Index("ix_request_changes_ticket_id", "ticket_id"),
)

ticket_counters = Table(
    "ticket_counters",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last_sequence", Integer, nullable=False),
)

# Requests that came by queue and could not become tickets: kept, with why, for the people who fix them.
rejected_requests = Table(
    "rejected_requests",
    metadata,
    Column("message_id", Uuid, primary_key=True),
    Column("request_id", Text),
    Column("reason", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("submission", JSONB, nullable=False),
    Column("received_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_rejected_requests_received_at", "received_at"),
)

# Each mail the hotline read from a service mailbox, by its place there: taken once (the unique place is
# the guard when two readers meet), then flagged or moved on the server (`flagged_at`) after that commit.
# A mail whose taking fails is `failing` with its tries until it is taken or, after INTAKE_MAIL_MAX_TRIES,
# `failed` (with the last error: what an operator looks at). Kept: a few hundred bytes per mail.
mail_positions = Table(
    "mail_positions",
    metadata,
    Column("mailbox", Text, primary_key=True),
    Column("folder", Text, primary_key=True),
    Column("uidvalidity", BigInteger, primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    Column("message_id", Text),
    Column("size", BigInteger, nullable=False),
    Column("outcome", Text, nullable=False),  # taken, failing, failed
    Column("tries", Integer, nullable=False, server_default="0"),  # failed tries
    Column("last_error", Text),
    Column("next_try_at", TIMESTAMP(timezone=True)),
    Column("first_seen_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("settled_at", TIMESTAMP(timezone=True)),  # taken, or given up
    Column("flagged_at", TIMESTAMP(timezone=True)),  # flagged or moved on the server
    Index("ix_mail_positions_unflagged", "mailbox", "folder", postgresql_where=text("flagged_at IS NULL")),
)

# The e-mail hotline keeps its table with its code (services/intake/mail/), on this schema's metadata:
# imported here so that the migrations and the service see the whole schema.
