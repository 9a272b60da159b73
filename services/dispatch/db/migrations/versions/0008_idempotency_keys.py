"""Idempotency keys

A request sent again with the same Idempotency-Key (a phone's queued action, a retry after a lost
answer) gets the first answer back and changes nothing (shared/persistence/idempotency.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from shared.persistence.kernel_tables import create_idempotency_table, drop_idempotency_table

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_idempotency_table("dispatch")


def downgrade() -> None:
    drop_idempotency_table("dispatch")
