from sqlalchemy import TIMESTAMP, Column, Table, Text, func

from shared.persistence.database import schema_metadata
from shared.persistence.kernel_tables import inbox_table, outbox_table

metadata = schema_metadata("vendor")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

escalations = Table(
    "escalations",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("vendor_code", Text, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("subsystem", Text, nullable=False),
    Column("asset_tag", Text),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("requested_at", TIMESTAMP(timezone=True), nullable=False),
    Column("received_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
)
