"""The console's own schema: the people who sign in, their browser sessions and the lists they keep. No
business data: that is the services'."""

from sqlalchemy import TIMESTAMP, Boolean, Column, ForeignKey, Index, Integer, Table, Text, func
from sqlalchemy.dialects.postgresql import ARRAY

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import (
    idempotency_table,
    inbox_table,
    outbox_table,
    token_revocations_table,
)

metadata = schema_metadata("console")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
token_revocations = token_revocations_table(metadata)

people = Table(
    "people",
    metadata,
    Column("username", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),  # Argon2id (domain/people.py); never the password
    Column("roles", ARRAY(Text), nullable=False),
    Column("engineer_id", Text),
    Column("site_code", Text),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
)

# Wrong passwords by the name tried (whether it exists or not) and by the client's address, and until
# when each must wait (domain/throttle.py).
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", Text, primary_key=True),  # name:<user name> or address:<client address>
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", TIMESTAMP(timezone=True), nullable=False),
    Column("wait_until", TIMESTAMP(timezone=True)),
    Index("ix_sign_in_failures_last_failure_at", "last_failure_at"),
)

# A browser's sign-in: the cookie holds a random key and the table only its SHA-256, so a copy of the
# table opens no session. Each session has its own CSRF token, which every form sends back.
sessions = Table(
    "sessions",
    metadata,
    Column("key_hash", Text, primary_key=True),
    Column("username", Text, ForeignKey("people.username", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", TIMESTAMP(timezone=True), nullable=False),
    Index("ix_sessions_expires_at", "expires_at"),
)

# What an engineer's phone queued while offline and a service then refused (the ticket was reassigned or
# closed meanwhile): shown to the engineer on the phone and to the manager on the board.
phone_conflicts = Table(
    "phone_conflicts",
    metadata,
    Column("key", Text, primary_key=True),  # the queued action's own idempotency key
    Column("username", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("target", Text, nullable=False),  # the ticket or the visit
    Column("action", Text),
    Column("happened_at", TIMESTAMP(timezone=True), nullable=False),  # when the engineer did it
    Column("error", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("recorded_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_phone_conflicts_recorded_at", "recorded_at"),
)

# The ticket lists a person keeps under a name of their own: the list page's question as its query string.
saved_views = Table(
    "saved_views",
    metadata,
    Column("username", Text, ForeignKey("people.username", ondelete="CASCADE"), primary_key=True),
    Column("name", Text, primary_key=True),
    Column("query", Text, nullable=False),
    Column("saved_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
)
