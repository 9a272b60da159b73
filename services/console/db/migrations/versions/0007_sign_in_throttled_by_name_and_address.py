"""Sign-in throttled by name and by address

Wrong passwords are counted by the name tried and by the client's address, with a growing wait, in
place of an account lock that anybody could set off (and that told which names exist).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("wait_until", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_failures")),
        schema="console",
    )
    op.drop_column("people", "locked_until", schema="console")
    op.drop_column("people", "failed_sign_ins", schema="console")


def downgrade() -> None:
    op.add_column(
        "people", sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False), schema="console"
    )
    op.add_column("people", sa.Column("locked_until", sa.TIMESTAMP(timezone=True), nullable=True), schema="console")
    op.drop_table("sign_in_failures", schema="console")
