"""What the hotline operator sees while still typing: the kind the description suggests, and the
requests already taken for the same place in the last days, so a caller reporting a known problem is
told its ticket number instead of opening another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db.tables import service_requests
from services.intake.domain.classification import classify
from shared.http import Database

router = APIRouter(tags=["intake"])

SIMILAR_WITHIN = timedelta(days=7)


@router.get("/requests/preview")
async def preview_request(
    database: Database,
    site_code: str,
    subsystem: str,
    asset_tag: str | None = None,
    description: Annotated[str, Query(max_length=4000)] = "",
) -> dict[str, Any]:
    """The kind a request with this description would be classified as, and the requests received for
    the same subsystem (and device, if named) of the site in the last seven days, newest first."""
    async with database.connect() as connection:
        similar = await recent_requests(
            connection, site_code, subsystem, asset_tag, since=datetime.now(UTC) - SIMILAR_WITHIN
        )
    return {"suggested_kind": classify(description).value, "similar": similar}


async def recent_requests(
    connection: AsyncConnection, site_code: str, subsystem: str, asset_tag: str | None, *, since: datetime
) -> list[dict[str, Any]]:
    query = (
        select(
            service_requests.c.ticket_id,
            service_requests.c.asset_tag,
            service_requests.c.kind,
            service_requests.c.description,
            service_requests.c.received_at,
            service_requests.c.repeat_count,
        )
        .where(
            service_requests.c.site_code == site_code,
            service_requests.c.subsystem == subsystem,
            service_requests.c.received_at >= since,
        )
        .order_by(service_requests.c.received_at.desc())
        .limit(20)
    )
    if asset_tag:
        query = query.where(service_requests.c.asset_tag == asset_tag)
    return [dict(row._mapping) for row in await connection.execute(query)]
