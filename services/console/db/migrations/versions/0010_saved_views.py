"""Saved views

The ticket lists a person keeps under a name of their own (the list page's query string).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["username"], ["console.people.username"], name=op.f("fk_saved_views_username_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("username", "name", name=op.f("pk_saved_views")),
        schema="console",
    )


def downgrade() -> None:
    op.drop_table("saved_views", schema="console")
