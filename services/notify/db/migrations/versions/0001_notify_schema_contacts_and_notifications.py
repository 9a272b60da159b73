"""Notify schema: contacts and notifications, taken over from dispatch

The notify service's own schema: the kernel's tables, whom it tells and how (contacts), and every
notification with its tries. Until issue 25 dispatch kept both tables in its schema; a database that has
them filled keeps every row: each table is moved here whole (ALTER TABLE ... SET SCHEMA, which takes its
rows, ids, constraints, indexes and identity sequence along, in one statement and no copy), and created
empty only where dispatch never had it.

Whatever order the services are migrated in, nothing is lost:
- notify first: dispatch's tables are moved here; dispatch's migration 0013 then finds them gone.
- dispatch first: its 0013 drops only empty tables and leaves filled ones for this step to move.
- `aftercare provision` may already have moved them (a deployment where each schema belongs to its own
  role, which may not touch another's): they are here already and are kept.
A table this role may not move (owned by dispatch's role) stops the migration with what to run, rather
than leaving its rows behind.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.persistence.kernel_tables import (
    add_idempotency_fingerprint,
    create_idempotency_table,
    create_kernel_tables,
    create_token_revocations_table,
    drop_idempotency_table,
    drop_kernel_tables,
    drop_token_revocations_table,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "notify"
FORMER = "dispatch"  # the schema the tables were in until issue 25
TAKEN_OVER = ("contacts", "notifications")


def upgrade() -> None:
    create_kernel_tables(SCHEMA)
    create_idempotency_table(SCHEMA)
    add_idempotency_fingerprint(SCHEMA)
    create_token_revocations_table(SCHEMA)
    for table in TAKEN_OVER:
        if _exists(SCHEMA, table):
            continue  # moved by provisioning, or an earlier attempt of this step
        if _exists(FORMER, table):
            _move(table, FORMER, SCHEMA)
        else:
            CREATE[table]()


def downgrade() -> None:
    """Hand the tables back to dispatch (whose own downgrade below 0013 expects them). Where dispatch
    has its own again, notify's are dropped only if empty; where there is no dispatch schema, they go
    with the rest of notify's, as any service's tables go in a downgrade to nothing."""
    for table in TAKEN_OVER:
        if _schema_exists(FORMER) and not _exists(FORMER, table):
            _move(table, SCHEMA, FORMER)
            continue
        if _exists(FORMER, table) and op.get_bind().scalar(
            sa.text(f'SELECT EXISTS (SELECT 1 FROM "{SCHEMA}"."{table}")')
        ):
            raise RuntimeError(
                f"dispatch has a {table} table of its own again while notify's holds rows: they would be lost; "
                f"drop dispatch's empty {FORMER}.{table} and downgrade notify again"
            )
        op.drop_table(table, schema=SCHEMA)
    drop_token_revocations_table(SCHEMA)
    drop_idempotency_table(SCHEMA)
    drop_kernel_tables(SCHEMA)


# Read from the catalogue, which every role may read: to_regclass() on a schema this role has no right
# to (dispatch's, where each schema is its own role's) is refused outright.
TABLE = (
    "SELECT c.oid, pg_get_userbyid(c.relowner) AS owner, pg_has_role(current_user, c.relowner, 'USAGE') AS mine"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relname = :table"
)


def _exists(schema: str, table: str) -> bool:
    return op.get_bind().execute(sa.text(TABLE), {"schema": schema, "table": table}).first() is not None


def _schema_exists(schema: str) -> bool:
    found = op.get_bind().scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
    return found is not None


def _move(table: str, source: str, target: str) -> None:
    _, owner, may_move = op.get_bind().execute(sa.text(TABLE), {"schema": source, "table": table}).one()
    if not may_move:
        raise RuntimeError(
            f"{source}.{table} belongs to role {owner}, which this role may not take over: run `aftercare "
            f"provision` (its administrator connection moves the table into {target}) and migrate again"
        )
    op.execute(f'ALTER TABLE "{source}"."{table}" SET SCHEMA "{target}"')


def _create_contacts() -> None:
    op.create_table(
        "contacts",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("engineer_id", sa.Text(), nullable=True),
        sa.Column("site_codes", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("robot_kind", sa.Text(), nullable=True),
        sa.Column("robot_url", sa.Text(), nullable=True),
        sa.Column("robot_secret", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), server_default="zh", nullable=False),
        sa.Column("timezone", sa.Text(), server_default="Asia/Shanghai", nullable=False),
        sa.Column("quiet_hours", sa.Text(), nullable=True),
        sa.Column("channels", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_contacts")),
        schema=SCHEMA,
    )
    op.create_index("ix_contacts_engineer_id", "contacts", ["engineer_id"], unique=False, schema=SCHEMA)


def _create_notifications() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("notice_key", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Text(), nullable=True),
        sa.Column("site_code", sa.Text(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("caused_by", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("send_after", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("first_tried_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("sent_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("notice_key", "username", "channel", name="uq_notifications_once"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_notifications_due",
        "notifications",
        ["send_after"],
        unique=False,
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('pending', 'sending')"),
    )
    op.create_index("ix_notifications_ticket_id", "notifications", ["ticket_id"], unique=False, schema=SCHEMA)
    op.create_index(
        "ix_notifications_username", "notifications", ["username", "created_at"], unique=False, schema=SCHEMA
    )


CREATE = {"contacts": _create_contacts, "notifications": _create_notifications}
