from sqlalchemy import (
    TIMESTAMP,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import inbox_table, outbox_table

metadata = schema_metadata("intake")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

sites = Table(
    "sites",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("local_name", Text),
    Column("address", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("customer", Text, nullable=False),
    Column("contract_start", Date, nullable=False),
    Column("contract_end", Date, nullable=False),
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
    ForeignKeyConstraint(["site_code", "subsystem"], ["intake.subsystems.site_code", "intake.subsystems.code"]),
)

service_requests = Table(
    "service_requests",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("request_id", Text, unique=True),
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
    Column("repeat_count", Integer, nullable=False, server_default="0"),
    Column("last_repeated_at", TIMESTAMP(timezone=True)),
    ForeignKeyConstraint(["site_code", "subsystem"], ["intake.subsystems.site_code", "intake.subsystems.code"]),
    Index("ix_service_requests_fingerprint_received_at", "fingerprint", "received_at"),
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
