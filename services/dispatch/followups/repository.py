"""Dispatch's reads and writes of follow-up calls and site reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.followups.domain.followup import Call, FollowUpStatus, Outcome
from services.dispatch.followups.tables import follow_up_calls, follow_ups, site_reviews
from services.dispatch.tickets.lookups import summaries


async def open_follow_up(
    connection: AsyncConnection, ticket_id: str, site_code: str, *, desk: str, due_at: datetime
) -> int:
    """A follow-up due for the ticket's latest resolution; returns its cycle."""
    cycle = 1 + int(
        await connection.scalar(select(func.count()).select_from(follow_ups).where(follow_ups.c.ticket_id == ticket_id))
        or 0
    )
    await connection.execute(
        follow_ups.insert().values(
            ticket_id=ticket_id, cycle=cycle, site_code=site_code, desk=desk, due_at=due_at, status=FollowUpStatus.DUE
        )
    )
    return cycle


async def latest(connection: AsyncConnection, ticket_id: str, *, lock: bool = False) -> Row[Any] | None:
    query = select(follow_ups).where(follow_ups.c.ticket_id == ticket_id).order_by(follow_ups.c.cycle.desc()).limit(1)
    return (await connection.execute(query.with_for_update() if lock else query)).first()


async def record_call(
    connection: AsyncConnection,
    follow_up: Row[Any],
    call: Call,
    *,
    caller: str,
    at: datetime,
    outcome: Outcome,
    answered_by: str | None = None,
) -> None:
    await connection.execute(
        follow_up_calls.insert().values(
            ticket_id=follow_up.ticket_id,
            cycle=follow_up.cycle,
            called_at=at,
            caller=caller,
            reached=call.reached,
            satisfaction=call.satisfaction,
            comments=call.comments,
            outcome=outcome,
            answered_by=answered_by,
        )
    )
    finished = outcome is not Outcome.TRY_AGAIN
    await connection.execute(
        update(follow_ups)
        .where(follow_ups.c.ticket_id == follow_up.ticket_id, follow_ups.c.cycle == follow_up.cycle)
        .values(
            attempts=follow_ups.c.attempts + 1,
            **({"status": FollowUpStatus.DONE, "outcome": outcome, "completed_at": at} if finished else {}),
        )
    )


async def supersede(connection: AsyncConnection, ticket_id: str) -> None:
    """The ticket was reopened before its follow-up was made: that call is no longer due."""
    await connection.execute(
        update(follow_ups)
        .where(
            follow_ups.c.ticket_id == ticket_id,
            follow_ups.c.status.in_([FollowUpStatus.DUE, FollowUpStatus.MISSED]),
        )
        .values(status=FollowUpStatus.SUPERSEDED)
    )


async def claim_overdue(connection: AsyncConnection, now: datetime, limit: int) -> list[Row[Any]]:
    """Lock follow-ups past due and not made; those another replica holds are skipped."""
    rows = await connection.execute(
        select(follow_ups)
        .where(follow_ups.c.status == FollowUpStatus.DUE, follow_ups.c.due_at < now)
        .order_by(follow_ups.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


async def mark_missed(connection: AsyncConnection, rows: list[Row[Any]]) -> None:
    for row in rows:
        await connection.execute(
            update(follow_ups)
            .where(follow_ups.c.ticket_id == row.ticket_id, follow_ups.c.cycle == row.cycle)
            .values(status=FollowUpStatus.MISSED)
        )


async def listing(
    connection: AsyncConnection, *, status: FollowUpStatus | None, site_code: str | None
) -> list[dict[str, Any]]:
    """Follow-ups with the ticket's reporter, earliest due first."""
    ticket = summaries()
    query = (
        select(follow_ups, ticket.c.kind, ticket.c.reporter, ticket.c.ticket_status)
        .join(ticket, ticket.c.ticket_id == follow_ups.c.ticket_id)
        .order_by(follow_ups.c.due_at)
    )
    if status is not None:
        query = query.where(follow_ups.c.status == status)
    if site_code is not None:
        query = query.where(follow_ups.c.site_code == site_code)
    return [dict(row._mapping) for row in await connection.execute(query)]


async def calls_of(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(follow_up_calls).where(follow_up_calls.c.ticket_id == ticket_id).order_by(follow_up_calls.c.id)
    )
    return [{k: v for k, v in row._mapping.items() if k != "id"} for row in rows]


async def add_review(connection: AsyncConnection, **values: Any) -> None:
    await connection.execute(site_reviews.insert().values(**values))


async def reviews_of(connection: AsyncConnection, site_code: str, periods: list[str]) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(site_reviews)
        .where(site_reviews.c.site_code == site_code, site_reviews.c.period.in_(periods))
        .order_by(site_reviews.c.reviewed_at)
    )
    return [dict(row._mapping) for row in rows]
