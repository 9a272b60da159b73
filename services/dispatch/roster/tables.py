"""The roster's tables: engineers, the sites each serves, who owns which subsystem at a site, and their
duty periods (shifts, on-call and leave)."""

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY

from services.dispatch.db.schema import metadata

engineers = Table(
    "engineers",
    metadata,
    Column("engineer_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("phone", Text),
    Column("skills", ARRAY(Text), nullable=False),
    Column("max_open_tickets", Integer, nullable=False),
)


# Shifts, on-call periods and leave: local wall times at a site, once or repeating (an RRULE).
duty_periods = Table(
    "duty_periods",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("engineer_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("starts", TIMESTAMP(timezone=False), nullable=False),
    Column("ends", TIMESTAMP(timezone=False), nullable=False),
    Column("timezone", Text, nullable=False),
    Column("repeat", Text),
    Column("note", Text),
    Column("created_by", Text, nullable=False),
    Column("created_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["engineer_id"], ["dispatch.engineers.engineer_id"]),
    Index("ix_duty_periods_engineer_id", "engineer_id"),
)


# Which engineers serve which site: only they are candidates for that site's tickets.
site_engineers = Table(
    "site_engineers",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("engineer_id", Text, primary_key=True),
    ForeignKeyConstraint(["engineer_id"], ["dispatch.engineers.engineer_id"]),
)


ownerships = Table(
    "ownerships",
    metadata,
    Column("site_code", Text, primary_key=True),
    Column("subsystem", Text, primary_key=True),
    Column("engineer_id", Text, nullable=False),
    ForeignKeyConstraint(["engineer_id"], ["dispatch.engineers.engineer_id"]),
)
