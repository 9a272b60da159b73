"""Dispatch's reads and writes of the quality desk's cases and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.quality.domain import Case, CaseStatus, Origin, Severity
from services.dispatch.quality.tables import quality_case_history, quality_cases


async def open_case(
    connection: AsyncConnection,
    *,
    site_code: str,
    ticket_id: str | None,
    origin: Origin,
    severity: Severity,
    summary: str,
    at: datetime,
    actor: str,
) -> int:
    case_id: int = await connection.scalar(
        quality_cases.insert()
        .values(
            site_code=site_code,
            ticket_id=ticket_id,
            origin=origin,
            severity=severity,
            summary=summary,
            status=CaseStatus.OPEN,
            opened_at=at,
        )
        .returning(quality_cases.c.case_id)
    )
    await note(connection, case_id, action="opened", actor=actor, text=summary, at=at)
    return case_id


async def case_for_update(connection: AsyncConnection, case_id: int) -> Row[Any] | None:
    query = select(quality_cases).where(quality_cases.c.case_id == case_id).with_for_update()
    return (await connection.execute(query)).first()


def as_case(row: Row[Any]) -> Case:
    return Case(row.case_id, CaseStatus(row.status), row.subject_engineer_id, row.owner)


async def change(connection: AsyncConnection, case_id: int, **values: Any) -> None:
    await connection.execute(update(quality_cases).where(quality_cases.c.case_id == case_id).values(**values))


async def note(
    connection: AsyncConnection, case_id: int, *, action: str, actor: str, text: str | None, at: datetime
) -> None:
    await connection.execute(
        quality_case_history.insert().values(case_id=case_id, action=action, actor=actor, note=text, at=at)
    )


async def cases(
    connection: AsyncConnection, *, status: CaseStatus | None, site_code: str | None
) -> list[dict[str, Any]]:
    query = select(quality_cases).order_by(quality_cases.c.opened_at)
    if status is not None:
        query = query.where(quality_cases.c.status == status)
    if site_code is not None:
        query = query.where(quality_cases.c.site_code == site_code)
    return [dict(row._mapping) for row in await connection.execute(query)]


async def case_with_history(connection: AsyncConnection, case_id: int) -> dict[str, Any] | None:
    row = (await connection.execute(select(quality_cases).where(quality_cases.c.case_id == case_id))).first()
    if row is None:
        return None
    history = await connection.execute(
        select(
            quality_case_history.c.at,
            quality_case_history.c.action,
            quality_case_history.c.actor,
            quality_case_history.c.note,
        )
        .where(quality_case_history.c.case_id == case_id)
        .order_by(quality_case_history.c.id)
    )
    return {**row._mapping, "history": [dict(h._mapping) for h in history]}


async def open_case_of_ticket(connection: AsyncConnection, ticket_id: str, origin: Origin) -> Row[Any] | None:
    query = select(quality_cases).where(
        quality_cases.c.ticket_id == ticket_id,
        quality_cases.c.origin == origin,
        quality_cases.c.status != CaseStatus.ANSWERED,
    )
    return (await connection.execute(query)).first()
