"""Dispatch's tables of planned inspections: the plans, their visits and each visit's results."""

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKeyConstraint,
    Index,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.dispatch.db.schema import metadata

# Planned inspections: each plan's next occurrence is its durable timer, claimed with SKIP LOCKED.
inspection_plans = Table(
    "inspection_plans",
    metadata,
    Column("code", Text, primary_key=True),
    Column("site_code", Text, nullable=False),
    Column("subsystem", Text, nullable=False),
    Column("plan", JSONB, nullable=False),  # the plan as the domain reads it: rule, window, checklist
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("next_occurrence_on", Date),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_inspection_plans_next", "next_occurrence_on", postgresql_where=text("active")),
)

inspection_visits = Table(
    "inspection_visits",
    metadata,
    Column("visit_id", Text, primary_key=True),
    Column("plan_code", Text, nullable=False),
    Column("site_code", Text, nullable=False),
    Column("subsystem", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("occurrence_on", Date, nullable=False),
    Column("scheduled_on", Date, nullable=False),
    Column("due_by", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("engineer_id", Text),
    Column("appointment_starts", TIMESTAMP(timezone=True)),
    Column("appointment_ends", TIMESTAMP(timezone=True)),
    Column("appointment_agreed_with", Text),
    Column("overdue_since", TIMESTAMP(timezone=True)),
    Column("opened_at", TIMESTAMP(timezone=True), nullable=False),
    Column("completed_at", TIMESTAMP(timezone=True)),
    Column("completed_by", Text),
    Column("late", Boolean),
    ForeignKeyConstraint(["plan_code"], ["dispatch.inspection_plans.code"]),
    UniqueConstraint("plan_code", "occurrence_on"),
    Index("ix_inspection_visits_open", "due_by", postgresql_where=text("status = 'open'")),
)

inspection_results = Table(
    "inspection_results",
    metadata,
    Column("visit_id", Text, primary_key=True),
    Column("item_code", Text, primary_key=True),
    Column("passed", Boolean),
    Column("value", Float),
    Column("note", Text),
    Column("failed", Boolean, nullable=False),
    ForeignKeyConstraint(["visit_id"], ["dispatch.inspection_visits.visit_id"]),
)
