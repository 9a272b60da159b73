"""Token revocations

Since when each person's older tokens are refused, from the console's `account.changed` (kernel v4,
shared/access_ends.py): access that ends when it is taken away.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from shared.persistence.kernel_tables import create_token_revocations_table, drop_token_revocations_table

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_token_revocations_table("dispatch")


def downgrade() -> None:
    drop_token_revocations_table("dispatch")
