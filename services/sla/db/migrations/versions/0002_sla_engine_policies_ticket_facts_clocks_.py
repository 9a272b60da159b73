"""sla engine: policies, ticket facts, clocks per cycle, timers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Clocks become one row per ticket, kind and cycle (a reopened ticket restarts its resolution clock),
keep the policy version and counting they started under, and record how they ended. Deadlines move
into `timers`. The contract's standard policy is created as version 1 of policy `standard`.
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sla"

# The maintenance plan's promise, and sensible service levels where the plan names no number: the
# hotline answers within 30 minutes, 7x24; an engineer is on site within 4 hours of a failure reported
# on a working day and 8 hours on a weekend or holiday; problems are solved within business days.
STANDARD_POLICY = {
    "name": "Standard maintenance contract",
    "calendar": "CN",
    "business_start": "09:00:00",
    "business_end": "18:00:00",
    "warn_at": [0.75],
    "pauses": {
        "waiting_for_customer": ["on_site", "resolution"],
        "waiting_for_parts": ["resolution"],
        "waiting_for_vendor": ["resolution"],
    },
    "working_days": [],
    "days_off": [],
    "targets": [
        {"clock": "response", "minutes": 30, "counting": "wall_clock"},
        {
            "clock": "on_site",
            "minutes": 240,
            "non_working_day_minutes": 480,
            "counting": "wall_clock",
            "kinds": ["fault", "warranty_repair"],
        },
        {"clock": "resolution", "minutes": 1080, "counting": "business_hours", "kinds": ["fault"]},
        {
            "clock": "resolution",
            "minutes": 540,
            "counting": "business_hours",
            "kinds": ["fault"],
            "priorities": ["critical"],
        },
        {"clock": "resolution", "minutes": 2700, "counting": "business_hours", "kinds": ["warranty_repair"]},
        {"clock": "resolution", "minutes": 2700, "counting": "business_hours", "kinds": ["technical_support"]},
        {"clock": "resolution", "minutes": 540, "counting": "business_hours", "kinds": ["complaint"]},
        {"clock": "resolution", "minutes": 540, "counting": "business_hours", "kinds": ["consultation"]},
    ],
}


def upgrade() -> None:
    clocks_columns: list[tuple[str, type[sa.types.TypeEngine[Any]], str]] = [
        ("cycle", sa.Integer, "1"),
        ("timezone", sa.Text, "'Asia/Shanghai'"),
        ("policy_code", sa.Text, "'standard'"),
        ("policy_version", sa.Integer, "1"),
        ("counting", sa.Text, "'wall_clock'"),
    ]
    for name, type_, backfill in clocks_columns:
        op.add_column("clocks", sa.Column(name, type_, nullable=False, server_default=sa.text(backfill)), schema=SCHEMA)
        op.alter_column("clocks", name, server_default=None, schema=SCHEMA)
    op.add_column("clocks", sa.Column("stopped_at", sa.TIMESTAMP(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column("clocks", sa.Column("outcome", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("clocks", sa.Column("breached_at", sa.TIMESTAMP(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column(
        "clocks",
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        schema=SCHEMA,
    )
    op.alter_column("clocks", "due_at", existing_type=postgresql.TIMESTAMP(timezone=True), nullable=True, schema=SCHEMA)
    op.drop_index(
        "ix_clocks_due_at_running", table_name="clocks", schema=SCHEMA, postgresql_where="(status = 'running'::text)"
    )
    op.drop_column("clocks", "status", schema=SCHEMA)
    op.drop_constraint("pk_clocks", "clocks", schema=SCHEMA, type_="primary")
    op.create_primary_key("pk_clocks", "clocks", ["ticket_id", "kind", "cycle"], schema=SCHEMA)
    op.create_index("ix_clocks_site_code_started_at", "clocks", ["site_code", "started_at"], schema=SCHEMA)

    op.create_table(
        "policies",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_policies")),
        schema=SCHEMA,
    )
    op.create_table(
        "site_policies",
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("policy_code", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("site_code", name=op.f("pk_site_policies")),
        schema=SCHEMA,
    )
    op.create_table(
        "ticket_facts",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_ticket_facts")),
        schema=SCHEMA,
    )
    op.create_index("ix_ticket_facts_ticket_id", "ticket_facts", ["ticket_id"], schema=SCHEMA)
    op.create_table(
        "timers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("fraction", sa.Float(), nullable=False),
        sa.Column("due_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("fired_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id", "kind", "cycle"],
            ["sla.clocks.ticket_id", "sla.clocks.kind", "sla.clocks.cycle"],
            name=op.f("fk_timers_ticket_id_clocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint(
            "ticket_id", "kind", "cycle", "fraction", name=op.f("uq_timers_ticket_id_kind_cycle_fraction")
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_timers_due",
        "timers",
        ["due_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("fired_at IS NULL AND due_at IS NOT NULL"),
    )
    # Clocks started before this revision keep running: arm their breach.
    op.execute(
        "INSERT INTO sla.timers (ticket_id, kind, cycle, fraction, due_at) "
        "SELECT ticket_id, kind, cycle, 1.0, due_at FROM sla.clocks"
    )
    op.execute(
        sa.text(
            "INSERT INTO sla.policies (code, version, document) VALUES ('standard', 1, CAST(:doc AS jsonb))"
        ).bindparams(doc=json.dumps(STANDARD_POLICY))
    )


def downgrade() -> None:
    op.drop_index(
        "ix_timers_due",
        table_name="timers",
        schema=SCHEMA,
        postgresql_where=sa.text("fired_at IS NULL AND due_at IS NOT NULL"),
    )
    op.drop_table("timers", schema=SCHEMA)
    op.drop_index("ix_ticket_facts_ticket_id", table_name="ticket_facts", schema=SCHEMA)
    op.drop_table("ticket_facts", schema=SCHEMA)
    op.drop_table("site_policies", schema=SCHEMA)
    op.drop_table("policies", schema=SCHEMA)
    op.drop_index("ix_clocks_site_code_started_at", table_name="clocks", schema=SCHEMA)
    op.execute("DELETE FROM sla.clocks WHERE cycle > 1")
    op.drop_constraint("pk_clocks", "clocks", schema=SCHEMA, type_="primary")
    op.create_primary_key("pk_clocks", "clocks", ["ticket_id", "kind"], schema=SCHEMA)
    op.add_column(
        "clocks", sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'running'")), schema=SCHEMA
    )
    op.alter_column("clocks", "status", server_default=None, schema=SCHEMA)
    op.execute("UPDATE sla.clocks SET status = 'stopped' WHERE stopped_at IS NOT NULL")
    op.execute("UPDATE sla.clocks SET due_at = started_at + target_minutes * interval '1 minute' WHERE due_at IS NULL")
    op.alter_column(
        "clocks", "due_at", existing_type=postgresql.TIMESTAMP(timezone=True), nullable=False, schema=SCHEMA
    )
    op.create_index(
        "ix_clocks_due_at_running", "clocks", ["due_at"], schema=SCHEMA, postgresql_where=sa.text("status = 'running'")
    )
    for column in (
        "updated_at",
        "breached_at",
        "outcome",
        "stopped_at",
        "counting",
        "policy_version",
        "policy_code",
        "timezone",
        "cycle",
    ):
        op.drop_column("clocks", column, schema=SCHEMA)
