"""Wrong passwords in a row

After five wrong passwords in a row an account refuses every password for a while.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 17:33:49.857278
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "people", sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False), schema="console"
    )
    op.add_column("people", sa.Column("locked_until", sa.TIMESTAMP(timezone=True), nullable=True), schema="console")


def downgrade() -> None:
    op.drop_column("people", "locked_until", schema="console")
    op.drop_column("people", "failed_sign_ins", schema="console")
