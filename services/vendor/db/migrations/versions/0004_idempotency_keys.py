"""Idempotency keys

A request sent again with the same Idempotency-Key (a phone's queued action, a retry after a lost
answer) gets the first answer back and changes nothing (shared/persistence/idempotency.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from shared.persistence.kernel_tables import create_idempotency_table, drop_idempotency_table

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_idempotency_table("vendor")


def downgrade() -> None:
    drop_idempotency_table("vendor")
