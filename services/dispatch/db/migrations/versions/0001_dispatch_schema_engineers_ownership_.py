"""dispatch schema: engineers, ownership, tickets, assignments

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:20:05.663691
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.persistence.kernel_tables import create_kernel_tables, drop_kernel_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "dispatch"


def upgrade() -> None:
    create_kernel_tables(SCHEMA)
    op.create_table(
        "engineers",
        sa.Column("engineer_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("max_open_tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("engineer_id", name=op.f("pk_engineers")),
        schema="dispatch",
    )
    op.create_table(
        "tickets",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("subsystem", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("queue", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column(
            "opened_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_tickets")),
        schema="dispatch",
    )
    op.create_index("ix_tickets_status", "tickets", ["status"], unique=False, schema="dispatch")
    op.create_table(
        "assignments",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("engineer_id", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("assigned_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["dispatch.engineers.engineer_id"],
            name=op.f("fk_assignments_engineer_id_engineers"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["dispatch.tickets.ticket_id"],
            name=op.f("fk_assignments_ticket_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_assignments")),
        schema="dispatch",
    )
    op.create_index(
        "ix_assignments_engineer_id",
        "assignments",
        ["engineer_id"],
        unique=False,
        schema="dispatch",
    )
    op.create_table(
        "site_engineers",
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("engineer_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["dispatch.engineers.engineer_id"],
            name=op.f("fk_site_engineers_engineer_id_engineers"),
        ),
        sa.PrimaryKeyConstraint("site_code", "engineer_id", name=op.f("pk_site_engineers")),
        schema="dispatch",
    )
    op.create_table(
        "ownerships",
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("subsystem", sa.Text(), nullable=False),
        sa.Column("engineer_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["dispatch.engineers.engineer_id"],
            name=op.f("fk_ownerships_engineer_id_engineers"),
        ),
        sa.PrimaryKeyConstraint("site_code", "subsystem", name=op.f("pk_ownerships")),
        schema="dispatch",
    )


def downgrade() -> None:
    op.drop_table("ownerships", schema="dispatch")
    op.drop_table("site_engineers", schema="dispatch")
    op.drop_index("ix_assignments_engineer_id", table_name="assignments", schema="dispatch")
    op.drop_table("assignments", schema="dispatch")
    op.drop_index("ix_tickets_status", table_name="tickets", schema="dispatch")
    op.drop_table("tickets", schema="dispatch")
    op.drop_table("engineers", schema="dispatch")
    drop_kernel_tables(SCHEMA)
