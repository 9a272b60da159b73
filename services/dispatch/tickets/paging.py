"""The paging chains under way (domain/paging.py): one begins when a ticket is flagged at risk (its
response clock warned and nobody has accepted it), and each due step is taken by the recurring work of
whichever dispatch process claims it first (`FOR UPDATE SKIP LOCKED`), in the transaction that records
it on the ticket and publishes `ticket.paged`: each step once, however many processes run. The chain ends
when someone accepts the ticket or its steps run out. Given to someone else while nobody has accepted it
(assigned once someone could take it, or by the manager), it begins again for them, a step's wait later:
whoever holds a ticket they have not accepted is covered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.common import sites
from services.dispatch.roster import repository as roster
from services.dispatch.roster.domain import Engineer
from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.lifecycle import NOT_YET_ACCEPTED, TicketState
from services.dispatch.tickets.domain.paging import Page, PagingChain, whom_to_page
from services.dispatch.tickets.tables import pagings
from shared.contracts import TicketPaged
from shared.logs import get_logger
from shared.messaging.unit_of_work import UnitOfWork

ACTOR = "dispatch"
RETRY_AFTER = timedelta(minutes=1)
log = get_logger(__name__)


async def begin(connection: AsyncConnection, ticket: TicketState, *, response_due_at: datetime, now: datetime) -> None:
    """Begin the ticket's chain: its first step is due at once."""
    await connection.execute(
        insert(pagings)
        .values(
            ticket_id=ticket.ticket_id,
            site_code=ticket.site_code,
            holder_engineer_id=ticket.engineer_id,
            next_step=0,
            next_at=now,
            response_due_at=response_due_at,
            started_at=now,
        )
        .on_conflict_do_nothing(index_elements=[pagings.c.ticket_id])
    )


async def page_due(uow: UnitOfWork, *, now: datetime, limit: int) -> int:
    """Take every step due (up to `limit` chains); returns how many chains were looked at."""
    connection = uow.connection
    due = list(
        await connection.execute(
            select(pagings)
            .where(pagings.c.next_at <= now)
            .order_by(pagings.c.next_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for chain in due:
        try:
            async with connection.begin_nested():  # one chain that fails stays alone; the others go on
                await _take_step(uow, chain, now)
        except Exception:
            log.exception("paging step failed; tried again later", ticket_id=chain.ticket_id)
            await connection.execute(
                update(pagings).where(pagings.c.ticket_id == chain.ticket_id).values(next_at=now + RETRY_AFTER)
            )
    return len(due)


async def _take_step(uow: UnitOfWork, chain: Row[Any], now: datetime) -> None:
    """Take the chain's next step; a step that wakes nobody is recorded and the one after it taken at once."""
    connection = uow.connection
    ticket = await repository.ticket_for_update(connection, chain.ticket_id)
    steps = PagingChain.of_site(await sites.paging_of(connection, chain.site_code))
    if ticket is not None and ticket.status in NOT_YET_ACCEPTED and ticket.engineer_id != chain.holder_engineer_id:
        await connection.execute(  # a new holder: their chain, from its first step, a step's wait later
            update(pagings)
            .where(pagings.c.ticket_id == chain.ticket_id)
            .values(holder_engineer_id=ticket.engineer_id, next_step=0, paged=[], next_at=now + steps.between_steps)
        )
        return
    moot = ticket is None or ticket.status not in NOT_YET_ACCEPTED
    index, paged = chain.next_step, list(chain.paged)
    engineers = await roster.roster(connection, chain.site_code, now) if not moot else []
    while ticket is not None and not moot and (step := steps.step(index)) is not None:
        page = whom_to_page(step, engineers, subsystem=ticket.subsystem, holder=ticket.engineer_id, paged=paged)
        index += 1
        await _record(connection, ticket, page, index, now)
        if page.engineer is not None:
            paged.append(page.engineer.engineer_id)
        if page.wakes_someone:
            paged_event = _paged(ticket, page, index, engineers, due_at=chain.response_due_at, now=now)
            uow.publish(paged_event, correlation_id=ticket.ticket_id)
            await connection.execute(
                update(pagings)
                .where(pagings.c.ticket_id == chain.ticket_id)
                .values(next_step=index, next_at=now + steps.between_steps, paged=paged)
            )
            return
    await connection.execute(delete(pagings).where(pagings.c.ticket_id == chain.ticket_id))  # ended, or moot


def _paged(
    ticket: TicketState, page: Page, step: int, engineers: list[Engineer], *, due_at: datetime, now: datetime
) -> TicketPaged:
    holder = next((e for e in engineers if e.engineer_id == ticket.engineer_id), None)
    return TicketPaged(
        ticket_id=ticket.ticket_id, site_code=ticket.site_code, step=step, to=page.to,
        engineer_id=page.engineer.engineer_id if page.engineer else None,
        engineer_name=page.engineer.name if page.engineer else None,
        holder_engineer_id=ticket.engineer_id, holder_engineer_name=holder.name if holder else None,
        due_at=due_at, paged_at=now,
    )  # fmt: skip


async def _record(connection: AsyncConnection, ticket: TicketState, page: Page, step: int, now: datetime) -> None:
    facts: dict[str, Any] = {"step": step, "to": page.to.value}
    if page.engineer is not None:
        facts |= {"engineer_id": page.engineer.engineer_id, "engineer_name": page.engineer.name}
        note = f"paged {page.engineer.engineer_id} ({page.to.value})"
    elif page.wakes_someone:
        note = "paged the service managers"
    else:
        facts["nobody"] = page.nobody_because
        note = f"nobody to page ({page.to.value}: {page.nobody_because})"
    await repository.record(
        connection, ticket.ticket_id, action="paged", status=ticket.status, at=now, actor=ACTOR, note=note, facts=facts
    )
