"""Follow-ups answered by the customer

Who answered a follow-up: the integrator's call (none), or the customer themselves from the console or
its link in an e-mail (`customer`).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("follow_up_calls", sa.Column("answered_by", sa.Text), schema="dispatch")


def downgrade() -> None:
    op.drop_column("follow_up_calls", "answered_by", schema="dispatch")
