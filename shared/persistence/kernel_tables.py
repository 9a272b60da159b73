"""The outbox and inbox every service keeps in its own schema.

Outbox: events written in the same transaction as the state change that caused them; the relay
publishes them and stamps `published_at`. The partial index keeps the relay's query proportional to
unpublished rows, not to history. Inbox: the message ids a consumer has applied, so a redelivery is a
no-op; rows older than the dedupe window are cleaned up.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Column,
    Identity,
    Index,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB


def _outbox_columns() -> list[Column[object]]:
    return [
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("message_id", Uuid, nullable=False, unique=True),
        Column("exchange", Text, nullable=False),
        Column("routing_key", Text, nullable=False),
        Column("message_type", Text, nullable=False),
        Column("correlation_id", Text, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("body", Text, nullable=False),
        Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", TIMESTAMP(timezone=True)),
    ]


def _inbox_columns() -> list[Column[object]]:
    return [
        Column("consumer", Text, primary_key=True),
        Column("message_id", Uuid, primary_key=True),
        Column("message_type", Text, nullable=False),
        Column("processed_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ]


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        *_outbox_columns(),
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
        Index("ix_outbox_published_at", "published_at", postgresql_where=text("published_at IS NOT NULL")),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table("inbox", metadata, *_inbox_columns(), Index("ix_inbox_processed_at", "processed_at"))


def create_kernel_tables(schema: str) -> None:
    """Migration step (kernel v1) each service's first revision runs for its own schema."""
    op.create_table("outbox", *_outbox_columns(), schema=schema)
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], schema=schema, postgresql_where=text("published_at IS NULL")
    )
    op.create_index(
        "ix_outbox_published_at",
        "outbox",
        ["published_at"],
        schema=schema,
        postgresql_where=text("published_at IS NOT NULL"),
    )
    op.create_table("inbox", *_inbox_columns(), schema=schema)
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"], schema=schema)


def drop_kernel_tables(schema: str) -> None:
    op.drop_table("inbox", schema=schema)
    op.drop_table("outbox", schema=schema)
