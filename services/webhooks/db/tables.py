"""The webhooks service's own schema: the subscriptions, and every delivery with how it went."""

from sqlalchemy import TIMESTAMP, Boolean, Column, Index, Integer, Table, Text, UniqueConstraint, Uuid, func, text
from sqlalchemy.dialects.postgresql import ARRAY

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import (
    idempotency_table,
    inbox_table,
    outbox_table,
    token_revocations_table,
)

metadata = schema_metadata("webhooks")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
token_revocations = token_revocations_table(metadata)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("event_types", ARRAY(Text), nullable=False),  # empty: every type
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # shared with the receiver, to sign with
    Column("owner", Text, nullable=False),  # who made it, to be told when it is paused
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("paused_at", TIMESTAMP(timezone=True)),
    Column("paused_why", Text),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_subscriptions_site_code", "site_code"),
)

# One row per event and subscription: the unique key is what delivers a duplicated event once.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("subscription_id", Uuid, nullable=False),
    Column("message_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", Text, nullable=False),  # pending, delivered, given_up, withheld (the staff's alone)
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", TIMESTAMP(timezone=True)),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", TIMESTAMP(timezone=True)),
    UniqueConstraint("subscription_id", "message_id"),
    Index("ix_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
)
