"""The outbox, inbox and idempotency keys every service keeps in its own schema.

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
    Integer,
    LargeBinary,
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


def idempotency_table(metadata: MetaData) -> Table:
    """The answers given to requests that carried an Idempotency-Key, per caller: the same request sent
    again (a phone's queued action, a retry after a lost answer) gets the same answer and changes nothing.
    A row without a status is a request still being handled."""
    return Table(
        "idempotency_keys", metadata, *_idempotency_columns(), Index("ix_idempotency_keys_created_at", "created_at")
    )


def _idempotency_columns() -> list[Column[object]]:
    return [
        Column("subject", Text, primary_key=True),
        Column("key", Text, primary_key=True),
        Column("method", Text, nullable=False),
        Column("path", Text, nullable=False),
        Column("fingerprint", Text),  # SHA-256 of the query and body: the same key for another request is refused
        Column("status", Integer),
        Column("media_type", Text),
        Column("body", LargeBinary),
        Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ]


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


def create_idempotency_table(schema: str) -> None:
    """Migration step (kernel v2): the idempotency keys, added to every service's schema (as they were
    then: the fingerprint came with v3)."""
    v2 = [column for column in _idempotency_columns() if column.name != "fingerprint"]
    op.create_table("idempotency_keys", *v2, schema=schema)
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"], schema=schema)


def drop_idempotency_table(schema: str) -> None:
    op.drop_table("idempotency_keys", schema=schema)


def add_idempotency_fingerprint(schema: str) -> None:
    """Migration step (kernel v3): what each key's request said, so that a key reused for another
    request with the same path is refused rather than answered with the first one's answer."""
    op.add_column("idempotency_keys", Column("fingerprint", Text), schema=schema)


def drop_idempotency_fingerprint(schema: str) -> None:
    op.drop_column("idempotency_keys", "fingerprint", schema=schema)


def _token_revocation_columns() -> list[Column[object]]:
    return [
        Column("subject", Text, primary_key=True),
        # Tokens of the subject issued before this moment are refused (shared/access_ends.py).
        Column("not_before", TIMESTAMP(timezone=True), nullable=False),
    ]


def token_revocations_table(metadata: MetaData) -> Table:
    """The people whose access changed, and since when their older tokens are refused."""
    return Table("token_revocations", metadata, *_token_revocation_columns())


def create_token_revocations_table(schema: str) -> None:
    """Migration step (kernel v4): the token revocations, added to every service's schema."""
    op.create_table("token_revocations", *_token_revocation_columns(), schema=schema)


def drop_token_revocations_table(schema: str) -> None:
    op.drop_table("token_revocations", schema=schema)
