"""Request content

Each service request keeps the SHA-256 of what it said: a request id sent again with other content is
refused instead of joined to the first one's ticket. Requests kept before have none, and are joined
as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("service_requests", sa.Column("content_sha256", sa.Text(), nullable=True), schema="intake")


def downgrade() -> None:
    op.drop_column("service_requests", "content_sha256", schema="intake")
