"""who signed a register

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:40:13.004091

Each signature of a register keeps who signed it as signed in (the token's subject), beside the name
and role written on the form.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("register_signatures", sa.Column("signed_by", sa.Text(), nullable=True), schema="archive")


def downgrade() -> None:
    op.drop_column("register_signatures", "signed_by", schema="archive")
