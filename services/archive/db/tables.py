from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Boolean,
    Column,
    Date,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    UniqueConstraint,
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

metadata = schema_metadata("archive")
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
token_revocations = token_revocations_table(metadata)

documents = Table(
    "documents",
    metadata,
    Column("code", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("category", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("site_code", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("ticket_id", Text),
    Column("source", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("pdf", LargeBinary),  # the rendition people read and sign; none for documents filed before it
    Column("pdf_sha256", Text),
    Column("archived_at", TIMESTAMP(timezone=True), nullable=False),
    Column("supersedes", Integer),  # the version a correction replaces
    # The site's hash chain (domain/chain.py): this version's place in it and its link.
    Column("chain_position", BigInteger, nullable=False),
    Column("previous_hash", Text, nullable=False),
    Column("chain_hash", Text, nullable=False),
    UniqueConstraint("site_code", "chain_position", name="uq_documents_site_code_chain_position"),
    Index("ix_documents_ticket_id", "ticket_id"),
    Index("ix_documents_site_code_category_year", "site_code", "category", "year"),
    # One first version per fact recorded (per ticket, or per site for documents of no ticket): a
    # repeated event files nothing new.
    Index(
        "uq_documents_ticket_id_source",
        "ticket_id",
        "source",
        unique=True,
        postgresql_where=text("ticket_id IS NOT NULL AND version = 1"),
    ),
    Index(
        "uq_documents_site_code_source",
        "site_code",
        "source",
        unique=True,
        postgresql_where=text("ticket_id IS NULL AND version = 1"),
    ),
)

# The PDFs of documents filed from events, typeset after filing by the typesetter (typesetting.py), off
# the path of the event: what the sheet is filled with until then (the form, the site's name and time
# zone, the pictures as base64), then the PDF and its SHA-256. A register, signed as a PDF, is typeset
# as it is filed and keeps its PDF in `documents`, inside the chain.
renditions = Table(
    "renditions",
    metadata,
    Column("code", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("form", Text, nullable=False),
    Column("site_name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("images", JSONB),  # name -> base64, until typeset
    Column("pdf", LargeBinary),
    Column("pdf_sha256", Text),
    Column("filed_at", TIMESTAMP(timezone=True), nullable=False),
    Column("typeset_at", TIMESTAMP(timezone=True)),
    Index("ix_renditions_waiting", "filed_at", postgresql_where=text("pdf IS NULL")),
)

# What each document version is found by (domain/search.py): derived from the document, so it may be
# rebuilt at will, unlike the documents themselves.
document_index = Table(
    "document_index",
    metadata,
    Column("code", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("archived_at", TIMESTAMP(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Column("serial_numbers", ARRAY(Text), nullable=False),
    Index("ix_document_index_text", "text", postgresql_using="gin", postgresql_ops={"text": "archive.gin_trgm_ops"}),
    Index("ix_document_index_serial_numbers", "serial_numbers", postgresql_using="gin"),
    Index("ix_document_index_site_code_archived_at", "site_code", "archived_at"),
)

document_sequences = Table(
    "document_sequences",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("category", Text, primary_key=True),
    Column("last_sequence", Integer, nullable=False),
)

# Documents drafted from events and waiting for their number and their link in the site's chain: the
# sequencer (sequencing.py) numbers and chains a site's waiting drafts together, one short transaction
# for many, and moves them into `documents`. A fact waits here once (the same unique keys as a first
# version in `documents`), so that two copies of one event held at once draft it once.
pending_filings = Table(
    "pending_filings",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),  # the order drafts are numbered in
    Column("site_code", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("category", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("ticket_id", Text),
    Column("source", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("form", Text, nullable=False),
    Column("site_name", Text, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("images", JSONB),  # name -> base64, for the typesetter
    Column("text", Text, nullable=False),  # what the document is found by (document_index)
    Column("serial_numbers", ARRAY(Text), nullable=False),
    Column("cause_id", Uuid),  # the message that made it: the cause of its document.archived
    Column("correlation_id", Text, nullable=False),
    Column("drafted_at", TIMESTAMP(timezone=True), nullable=False),
    Index("ix_pending_filings_site_code_id", "site_code", "id"),
    Index(
        "uq_pending_filings_ticket_id_source",
        "ticket_id",
        "source",
        unique=True,
        postgresql_where=text("ticket_id IS NOT NULL"),
    ),
    Index(
        "uq_pending_filings_site_code_source",
        "site_code",
        "source",
        unique=True,
        postgresql_where=text("ticket_id IS NULL"),
    ),
)

# Every event of the suite as the archive heard it: the facts each ticket's and each site's documents
# and registers are drawn up from, without reading another service's tables.
timeline = Table(
    "timeline",
    metadata,
    Column("message_id", Uuid, primary_key=True),
    Column("type", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("occurred_at", TIMESTAMP(timezone=True), nullable=False),
    Column("producer", Text, nullable=False),
    Column("correlation_id", Text, nullable=False),
    Column("causation_id", Uuid),
    Column("ticket_id", Text),
    Column("site_code", Text),
    Column("payload", JSONB, nullable=False),
    Column("recorded_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_timeline_ticket_id_occurred_at", "ticket_id", "occurred_at"),
    Index("ix_timeline_site_code_occurred_at", "site_code", "occurred_at"),
)

# A line per ticket for the office's list, search and export (domain/ticket_list.py): folded from the
# timeline's events as they are heard, so it may be rebuilt from the timeline at will.
ticket_list = Table(
    "ticket_list",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("opened", Boolean, nullable=False),
    Column("site_code", Text),
    Column("site_name", Text),
    Column("subsystem", Text),
    Column("kind", Text),
    Column("priority", Text),
    Column("priority_rank", Integer),  # critical first, for sorting
    Column("channel", Text),
    Column("description", Text),
    Column("reporter_name", Text),
    Column("reporter_phone", Text),
    Column("asset_tag", Text),
    Column("device_model", Text),
    Column("serial_number", Text),
    Column("reported_at", TIMESTAMP(timezone=True)),
    Column("status", Text, nullable=False),
    Column("status_at", TIMESTAMP(timezone=True)),
    Column("paused_from", Text),
    Column("pause_reason", Text),
    Column("engineer_id", Text),
    Column("engineer_name", Text),
    Column("resolved_at", TIMESTAMP(timezone=True)),
    Column("closed_at", TIMESTAMP(timezone=True)),
    Column("kind_at", TIMESTAMP(timezone=True)),
    Column("clocks", JSONB, nullable=False),
    Column("breached", Boolean, nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("next_due_at", TIMESTAMP(timezone=True)),
    Column("search_text", Text, nullable=False),
    Column("search_pairs", ARRAY(Text), nullable=False),
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    # The list's usual order, newest first, read off the index page by page rather than sorted whole.
    Index("ix_ticket_list_reported_at", text("reported_at DESC NULLS LAST"), text("ticket_id DESC")),
    Index(
        "ix_ticket_list_site_code_reported_at", "site_code", text("reported_at DESC NULLS LAST"), text("ticket_id DESC")
    ),
    Index("ix_ticket_list_engineer_id", "engineer_id"),
    Index("ix_ticket_list_open_next_due_at", "next_due_at", postgresql_where=text("is_open")),
    Index("ix_ticket_list_breached", "reported_at", postgresql_where=text("breached")),
    Index("ix_ticket_list_search_pairs", "search_pairs", postgresql_using="gin"),
    Index(
        "ix_ticket_list_search_text",
        "search_text",
        postgresql_using="gin",
        postgresql_ops={"search_text": "archive.gin_trgm_ops"},
    ),
)

# A site's registers (domain/periods.py, registers.py, signing.py): one per kind and period, its
# versions filed as documents under one code; where it stands in its signing.
registers = Table(
    "registers",
    metadata,
    Column("code", Text, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("period", Text, nullable=False),  # 2026-11, 2026-Q4; an acceptance register's contract code
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("latest_version", Integer, nullable=False),
    Column("locked_version", Integer),  # the sealed version, once both parties signed
    Column("drawn_up_at", TIMESTAMP(timezone=True), nullable=False),
    Column("locked_at", TIMESTAMP(timezone=True)),
    UniqueConstraint("site_code", "kind", "period", name="uq_registers_site_code_kind_period"),
)

register_signatures = Table(
    "register_signatures",
    metadata,
    Column("code", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("party", Text, primary_key=True),  # integrator or customer
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("signed_at", TIMESTAMP(timezone=True), nullable=False),
    Column("signature_png", Text),  # base64, as drawn
    Column("signed_by", Text),  # the signed-in person (none for signatures before sign-in)
)

# Photos an engineer took on site (before, after, a device's label), kept with the ticket and shown in
# its on-site service report; the report's content names each by its SHA-256.
photos = Table(
    "photos",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("site_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("taken_at", TIMESTAMP(timezone=True), nullable=False),
    Column("media_type", Text, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("uploaded_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("ticket_id", "sha256"),
)
