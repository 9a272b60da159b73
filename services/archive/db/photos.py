"""Photos of tickets, in the archive's own schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import photos
from services.archive.domain.photos import Photo, PhotoKind
from shared.persistence.locks import lock_for_transaction


async def add(connection: AsyncConnection, ticket_id: str, site_code: str, photo: Photo, *, by: str) -> int:
    """Keep the photo; the same picture sent again for the ticket is the one already kept."""
    added = await connection.scalar(
        insert(photos)
        .values(
            ticket_id=ticket_id,
            site_code=site_code,
            kind=photo.kind.value,
            taken_at=photo.taken_at,
            media_type=photo.media_type,
            width=photo.width,
            height=photo.height,
            sha256=photo.sha256,
            content=photo.content,
            uploaded_by=by,
        )
        .on_conflict_do_nothing()
        .returning(photos.c.id)
    )
    if added is not None:
        return int(added)
    kept = await connection.scalar(
        select(photos.c.id).where(photos.c.ticket_id == ticket_id, photos.c.sha256 == photo.sha256)
    )
    return int(kept or 0)


async def of_ticket(connection: AsyncConnection, ticket_id: str) -> list[Photo]:
    """The ticket's photos in the order they were taken."""
    rows = await connection.execute(select(photos).where(photos.c.ticket_id == ticket_id).order_by(photos.c.taken_at))
    return [
        Photo(PhotoKind(r.kind), r.taken_at, r.media_type, r.width, r.height, r.sha256, bytes(r.content)) for r in rows
    ]


async def listing(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    columns = [c for c in photos.c if c.name != "content"]
    rows = await connection.execute(select(*columns).where(photos.c.ticket_id == ticket_id).order_by(photos.c.taken_at))
    return [dict(row._mapping) for row in rows]


async def count_of_kind(connection: AsyncConnection, ticket_id: str, kind: str) -> int:
    found = await connection.scalar(
        select(func.count()).select_from(photos).where(photos.c.ticket_id == ticket_id, photos.c.kind == kind)
    )
    return int(found or 0)


async def hold_ticket(connection: AsyncConnection, ticket_id: str) -> None:
    """Until the transaction ends, be the only one adding photos to the ticket: its bound on the customer's
    photos is counted, then kept to (two mails' photos arrive at once)."""
    await lock_for_transaction(connection, f"archive:photos:{ticket_id}")
