"""hash chain and immutability

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 13:00:19.667625

Each site's documents form a hash chain (services/archive/domain/chain.py): every version gets its
position in its site's chain, the previous link's hash and its own. Documents already filed are
chained in the order they were filed. From here on no row of `documents` can be changed or deleted,
not even by the archive's own role: a trigger refuses it (a correction is a new version).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.archive.domain.chain import GENESIS, link_hash

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# One statement each: asyncpg prepares every statement, and a prepared statement holds one command.
IMMUTABLE = (
    """
    CREATE FUNCTION archive.refuse_document_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'archived documents cannot be changed or deleted; file a new version instead'
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER documents_are_immutable BEFORE UPDATE OR DELETE ON archive.documents
        FOR EACH ROW EXECUTE FUNCTION archive.refuse_document_change()
    """,
    """
    CREATE TRIGGER documents_are_not_truncated BEFORE TRUNCATE ON archive.documents
        FOR EACH STATEMENT EXECUTE FUNCTION archive.refuse_document_change()
    """,
)


def upgrade() -> None:
    op.add_column("documents", sa.Column("supersedes", sa.Integer(), nullable=True), schema="archive")
    for name, kind in (("chain_position", sa.BigInteger()), ("previous_hash", sa.Text()), ("chain_hash", sa.Text())):
        op.add_column("documents", sa.Column(name, kind, nullable=True), schema="archive")
    _chain_what_is_filed()
    for name in ("chain_position", "previous_hash", "chain_hash"):
        op.alter_column("documents", name, nullable=False, schema="archive")
    op.create_unique_constraint(
        "uq_documents_site_code_chain_position", "documents", ["site_code", "chain_position"], schema="archive"
    )
    for statement in IMMUTABLE:
        op.execute(statement)


def _chain_what_is_filed() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT site_code, code, version, sha256, pdf_sha256, archived_at FROM archive.documents "
            "ORDER BY site_code, archived_at, code, version"
        )
    ).all()
    previous: dict[str, tuple[int, str]] = {}
    for row in rows:
        position, before = previous.get(row.site_code, (0, GENESIS))
        chain_hash = link_hash(
            before,
            code=row.code,
            version=row.version,
            sha256=row.sha256,
            pdf_sha256=row.pdf_sha256,
            archived_at=row.archived_at,
        )
        bind.execute(
            sa.text(
                "UPDATE archive.documents SET chain_position = :position, previous_hash = :before, "
                "chain_hash = :chain_hash WHERE code = :code AND version = :version"
            ),
            {
                "position": position + 1,
                "before": before,
                "chain_hash": chain_hash,
                "code": row.code,
                "version": row.version,
            },
        )
        previous[row.site_code] = (position + 1, chain_hash)


def downgrade() -> None:
    op.execute("DROP TRIGGER documents_are_not_truncated ON archive.documents")
    op.execute("DROP TRIGGER documents_are_immutable ON archive.documents")
    op.execute("DROP FUNCTION archive.refuse_document_change()")
    op.drop_constraint("uq_documents_site_code_chain_position", "documents", schema="archive", type_="unique")
    for name in ("chain_hash", "previous_hash", "chain_position", "supersedes"):
        op.drop_column("documents", name, schema="archive")
