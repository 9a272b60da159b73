"""The quality desk's tables: its cases (complaints and low satisfaction scores) and what was done about
each."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Identity,
    Index,
    Table,
    Text,
)

from services.dispatch.db.schema import metadata

# The quality desk's cases: complaints and low satisfaction scores, and what was done about each.
quality_cases = Table(
    "quality_cases",
    metadata,
    Column("case_id", BigInteger, Identity(), primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("ticket_id", Text),
    Column("origin", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("subject_engineer_id", Text),  # the engineer the complaint is about, who never handles it
    Column("owner", Text),
    Column("escalated_to", Text),
    Column("escalated_at", TIMESTAMP(timezone=True)),
    Column("handling", Text),
    Column("answer", Text),
    Column("answered_at", TIMESTAMP(timezone=True)),
    Column("opened_at", TIMESTAMP(timezone=True), nullable=False),
    Index("ix_quality_cases_status", "status"),
    Index("ix_quality_cases_ticket_id", "ticket_id"),
)


quality_case_history = Table(
    "quality_case_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_id", BigInteger, nullable=False),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("note", Text),
    Column("at", TIMESTAMP(timezone=True), nullable=False),
    ForeignKeyConstraint(["case_id"], ["dispatch.quality_cases.case_id"]),
    Index("ix_quality_case_history_case_id", "case_id"),
)
