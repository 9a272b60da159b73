from sqlalchemy import TIMESTAMP, Column, Index, Integer, Table, Text, func

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import inbox_table, outbox_table

metadata = schema_metadata("sla")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

clocks = Table(
    "clocks",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("started_at", TIMESTAMP(timezone=True), nullable=False),
    Column("due_at", TIMESTAMP(timezone=True), nullable=False),
    Column("target_minutes", Integer, nullable=False),
    Column("day_type", Text, nullable=False),
    Column("calendar", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_clocks_due_at_running", "due_at", postgresql_where="status = 'running'"),
)
