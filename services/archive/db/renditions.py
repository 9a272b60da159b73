"""The archive's reads and writes of PDF renditions typeset after filing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import documents, renditions


def _sheet_columns() -> list[Any]:
    return [
        renditions.c.code, renditions.c.version, renditions.c.form, renditions.c.site_name, renditions.c.timezone,
        renditions.c.images, renditions.c.pdf, renditions.c.pdf_sha256, documents.c.site_code, documents.c.sha256,
        documents.c.content, documents.c.archived_at,
    ]  # fmt: skip


async def claim_waiting(connection: AsyncConnection, limit: int) -> list[Row[Any]]:
    """Renditions not typeset yet, oldest first, locked so that another process typesets others."""
    query = (
        select(*_sheet_columns())
        .join(documents, (documents.c.code == renditions.c.code) & (documents.c.version == renditions.c.version))
        .where(renditions.c.pdf.is_(None))
        .order_by(renditions.c.filed_at)
        .limit(limit)
        .with_for_update(of=renditions, skip_locked=True)
    )
    return list(await connection.execute(query))


async def claim(connection: AsyncConnection, code: str, version: int) -> Row[Any] | None:
    """One document's rendition, locked (waiting for a typesetter that holds it)."""
    query = (
        select(*_sheet_columns())
        .join(documents, (documents.c.code == renditions.c.code) & (documents.c.version == renditions.c.version))
        .where(renditions.c.code == code, renditions.c.version == version)
        .with_for_update(of=renditions)
    )
    return (await connection.execute(query)).first()


async def sheet_of(connection: AsyncConnection, code: str, version: int) -> Row[Any] | None:
    """What one document's sheet is filled with, unlocked (for a copy typeset on request)."""
    query = (
        select(*_sheet_columns())
        .join(documents, (documents.c.code == renditions.c.code) & (documents.c.version == renditions.c.version))
        .where(renditions.c.code == code, renditions.c.version == version)
    )
    return (await connection.execute(query)).first()


async def typeset(connection: AsyncConnection, code: str, version: int, pdf: bytes, sha256: str, at: datetime) -> None:
    await connection.execute(
        update(renditions)
        .where(renditions.c.code == code, renditions.c.version == version)
        .values(pdf=pdf, pdf_sha256=sha256, typeset_at=at, images=None)
    )
