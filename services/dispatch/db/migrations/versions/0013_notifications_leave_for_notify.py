"""Notifications leave for the notify service

Whom to tell and every notification are the notify service's since issue 25: its migration 0001 moves
dispatch's `contacts` and `notifications` into its own schema, rows and all. This step drops either table
only when it is empty; a filled one is left for notify's step to move, whichever of the two services is
migrated first, so that no row is lost to the order of the migrations.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "dispatch"
LEFT = ("notifications", "contacts")


def upgrade() -> None:
    bind = op.get_bind()
    present = [t for t in LEFT if bind.scalar(sa.text("SELECT to_regclass(:t)"), {"t": f"{SCHEMA}.{t}"})]
    if not present:
        return  # moved to notify already
    # Both locked at once, and not waited for long: an older dispatch still running can add no row
    # between the look and the drop, and cannot deadlock with this step over the two tables.
    op.execute("SET LOCAL lock_timeout = '10s'")
    op.execute(f"LOCK TABLE {', '.join(f'{SCHEMA}.{t}' for t in present)} IN ACCESS EXCLUSIVE MODE")
    for table in present:
        if bind.scalar(sa.text(f'SELECT NOT EXISTS (SELECT 1 FROM "{SCHEMA}"."{table}")')):
            op.drop_table(table, schema=SCHEMA)


def downgrade() -> None:
    """The tables as 0011 made them, where notify has not handed them back (its own downgrade does).
    While notify holds them, dispatch's empty copies would make notify's downgrade drop the filled ones:
    notify is downgraded first."""
    bind = op.get_bind()
    held = bind.scalars(
        sa.text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'notify' AND c.relname = ANY(:tables)"
        ),
        {"tables": list(LEFT)},
    ).all()
    if held:
        raise RuntimeError(
            f"notify holds {', '.join(f'notify.{t}' for t in sorted(held))}: downgrade notify first "
            "(its downgrade hands them back to dispatch), then dispatch"
        )
    if all(bind.scalar(sa.text("SELECT to_regclass(:t)"), {"t": f"{SCHEMA}.{t}"}) is None for t in LEFT):
        path = Path(__file__).with_name("0011_notifications_to_people.py")
        spec = importlib.util.spec_from_file_location("dispatch_0011", path)
        assert spec is not None
        assert spec.loader is not None
        made = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(made)
        made.upgrade()
