"""document index for search

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 13:12:48.486911

What each document is found by, in `document_index`: its words (Chinese included, under a trigram
index from pg_trgm, which provisioning creates in the schema) and the serial numbers it names. The
documents already filed are indexed here.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from services.archive.domain.search import searchable_text, serial_numbers

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Already there when provisioned (a service's role may not create extensions); created here where
    # the migration runs as an administrator, as in development.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA archive")
    op.create_table(
        "document_index",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("site_code", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("serial_numbers", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_document_index")),
        schema="archive",
    )
    op.create_index(
        "ix_document_index_serial_numbers",
        "document_index",
        ["serial_numbers"],
        unique=False,
        schema="archive",
        postgresql_using="gin",
    )
    op.create_index(
        "ix_document_index_site_code_archived_at",
        "document_index",
        ["site_code", "archived_at"],
        unique=False,
        schema="archive",
    )
    op.create_index(
        "ix_document_index_text",
        "document_index",
        ["text"],
        unique=False,
        schema="archive",
        postgresql_using="gin",
        postgresql_ops={"text": "archive.gin_trgm_ops"},
    )
    _index_what_is_filed()


def _index_what_is_filed() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT code, version, site_code, archived_at, title, content FROM archive.documents"))
    for row in rows.all():
        content = json.loads(row.content)
        bind.execute(
            sa.text(
                "INSERT INTO archive.document_index (code, version, site_code, archived_at, text, serial_numbers) "
                "VALUES (:code, :version, :site_code, :archived_at, :text, :serials)"
            ),
            {
                "code": row.code,
                "version": row.version,
                "site_code": row.site_code,
                "archived_at": row.archived_at,
                "text": searchable_text(row.title, content),
                "serials": serial_numbers(content),
            },
        )


def downgrade() -> None:
    op.drop_index(
        "ix_document_index_text",
        table_name="document_index",
        schema="archive",
        postgresql_using="gin",
        postgresql_ops={"text": "archive.gin_trgm_ops"},
    )
    op.drop_index("ix_document_index_site_code_archived_at", table_name="document_index", schema="archive")
    op.drop_index(
        "ix_document_index_serial_numbers", table_name="document_index", schema="archive", postgresql_using="gin"
    )
    op.drop_table("document_index", schema="archive")
