"""Vendor's reads and writes, in its own schema only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.vendor.db.tables import escalations
from shared.contracts import TicketEscalationNeeded


async def record_request(connection: AsyncConnection, needed: TicketEscalationNeeded) -> bool:
    result = await connection.execute(
        insert(escalations)
        .values(
            ticket_id=needed.ticket_id,
            vendor_code=needed.vendor_code,
            site_code=needed.site_code,
            subsystem=needed.subsystem,
            asset_tag=needed.device.asset_tag if needed.device else None,
            reason=needed.reason,
            status="requested",
            requested_at=needed.requested_at,
        )
        .on_conflict_do_nothing()
        .returning(escalations.c.ticket_id)
    )
    return result.first() is not None


async def escalations_of(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(escalations).where(escalations.c.ticket_id == ticket_id).order_by(escalations.c.vendor_code)
    )
    return [dict(row._mapping) for row in rows]
