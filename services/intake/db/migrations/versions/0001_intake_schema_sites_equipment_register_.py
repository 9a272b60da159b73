"""intake schema: sites, equipment register, requests, rejected requests

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:18:02.306205
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

SCHEMA = "intake"


def upgrade() -> None:
    create_kernel_tables(SCHEMA)
    op.create_table(
        "sites",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("local_name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("contract_start", sa.Date(), nullable=False),
        sa.Column("contract_end", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sites")),
        schema="intake",
    )
    op.create_table(
        "ticket_counters",
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site_code", "day", name=op.f("pk_ticket_counters")),
        schema="intake",
    )
    op.create_table(
        "subsystems",
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("local_name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_code"],
            ["intake.sites.code"],
            name=op.f("fk_subsystems_site_code_sites"),
        ),
        sa.PrimaryKeyConstraint("site_code", "code", name=op.f("pk_subsystems")),
        schema="intake",
    )
    op.create_table(
        "equipment",
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("asset_tag", sa.Text(), nullable=False),
        sa.Column("subsystem", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("manufacturer", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_code", "subsystem"],
            ["intake.subsystems.site_code", "intake.subsystems.code"],
            name=op.f("fk_equipment_site_code_subsystems"),
        ),
        sa.PrimaryKeyConstraint("site_code", "asset_tag", name=op.f("pk_equipment")),
        schema="intake",
    )
    op.create_table(
        "service_requests",
        sa.Column("ticket_id", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("subsystem", sa.Text(), nullable=False),
        sa.Column("asset_tag", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reported_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column(
            "received_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("repeat_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_repeated_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_code", "subsystem"],
            ["intake.subsystems.site_code", "intake.subsystems.code"],
            name=op.f("fk_service_requests_site_code_subsystems"),
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_service_requests")),
        sa.UniqueConstraint("request_id", name=op.f("uq_service_requests_request_id")),
        schema="intake",
    )
    op.create_index(
        "ix_service_requests_fingerprint_received_at",
        "service_requests",
        ["fingerprint", "received_at"],
        unique=False,
        schema="intake",
    )

    op.create_table(
        "rejected_requests",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("submission", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_rejected_requests")),
        schema="intake",
    )
    op.create_index(
        "ix_rejected_requests_received_at", "rejected_requests", ["received_at"], unique=False, schema="intake"
    )


def downgrade() -> None:
    op.drop_index("ix_rejected_requests_received_at", table_name="rejected_requests", schema="intake")
    op.drop_table("rejected_requests", schema="intake")
    op.drop_index(
        "ix_service_requests_fingerprint_received_at",
        table_name="service_requests",
        schema="intake",
    )
    op.drop_table("service_requests", schema="intake")
    op.drop_table("equipment", schema="intake")
    op.drop_table("subsystems", schema="intake")
    op.drop_table("ticket_counters", schema="intake")
    op.drop_table("sites", schema="intake")
    drop_kernel_tables(SCHEMA)
