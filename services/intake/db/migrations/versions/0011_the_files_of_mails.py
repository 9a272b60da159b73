"""The files of the e-mail hotline's mails

What the hotline keeps of a mail's files: its photos shrunk (for its ticket) and its other files as they
came (for the office), bounded per mail.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_attachments",
        sa.Column("mail_id", sa.Uuid(), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("is_photo", sa.Boolean(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["mail_id"], ["intake.mails.mail_id"]),
        schema="intake",
    )


def downgrade() -> None:
    op.drop_table("mail_attachments", schema="intake")
