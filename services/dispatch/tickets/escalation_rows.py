"""Dispatch's reads and writes of a ticket's escalations to vendor partners."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.roster import repository as roster
from services.dispatch.tickets.tables import escalations, tickets
from shared.contracts import Contact, Coverage, DeviceRef

OPEN = "open"
CLOSED = "closed"


async def ticket_details(connection: AsyncConnection, ticket_id: str) -> tuple[DeviceRef | None, Coverage | None]:
    row = (
        await connection.execute(select(tickets.c.device, tickets.c.coverage).where(tickets.c.ticket_id == ticket_id))
    ).first()
    if row is None:
        return None, None
    return (
        DeviceRef.model_validate(row.device) if row.device else None,
        Coverage.model_validate(row.coverage) if row.coverage else None,
    )


async def set_device(connection: AsyncConnection, ticket_id: str, device: DeviceRef) -> None:
    await connection.execute(
        update(tickets).where(tickets.c.ticket_id == ticket_id).values(device=device.model_dump(mode="json"))
    )


async def engineer_contact(connection: AsyncConnection, engineer_id: str | None) -> Contact | None:
    if engineer_id is None:
        return None
    row = await roster.engineer(connection, engineer_id)
    return Contact(name=row.name, role="engineer on site", phone=row.phone) if row else None


async def add(connection: AsyncConnection, *, ticket_id: str, vendor_code: str, reason: str, at: datetime) -> str:
    """Record a new escalation of the ticket; its id (`<ticket>-V1`, `-V2`, ...)."""
    count = await connection.scalar(
        select(func.count()).select_from(escalations).where(escalations.c.ticket_id == ticket_id)
    )
    escalation_id = f"{ticket_id}-V{int(count or 0) + 1}"
    await connection.execute(
        escalations.insert().values(
            escalation_id=escalation_id,
            ticket_id=ticket_id,
            vendor_code=vendor_code,
            reason=reason,
            status=OPEN,
            created_at=at,
        )
    )
    return escalation_id


async def close(
    connection: AsyncConnection, escalation_id: str, case_number: str, *, outcome: str, at: datetime
) -> bool:
    """Close an open escalation; False if it was not open (closed already, or not dispatch's)."""
    result = await connection.execute(
        update(escalations)
        .where(escalations.c.escalation_id == escalation_id, escalations.c.status == OPEN)
        .values(status=CLOSED, case_number=case_number, outcome=outcome, closed_at=at)
    )
    return bool(result.rowcount)


async def open_count(connection: AsyncConnection, ticket_id: str) -> int:
    count = await connection.scalar(
        select(func.count())
        .select_from(escalations)
        .where(escalations.c.ticket_id == ticket_id, escalations.c.status == OPEN)
    )
    return int(count or 0)


async def of_ticket(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(escalations).where(escalations.c.ticket_id == ticket_id).order_by(escalations.c.created_at)
    )
    return [dict(row._mapping) for row in rows]
