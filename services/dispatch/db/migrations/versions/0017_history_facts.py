"""The facts of a ticket's history and of why it waits

Each history row dispatch writes itself keeps what it says as codes and figures (`facts`) beside its
English `note`, and a ticket waiting for the service manager keeps why the same way (`waiting_facts`),
for the pages to word in their reader's language. Rows written before keep their note alone.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ticket_history", sa.Column("facts", JSONB), schema="dispatch")
    op.add_column("tickets", sa.Column("waiting_facts", JSONB), schema="dispatch")


def downgrade() -> None:
    op.drop_column("tickets", "waiting_facts", schema="dispatch")
    op.drop_column("ticket_history", "facts", schema="dispatch")
