"""Dispatch's reads and writes, in its own schema only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.roster.lookups import engineer_names
from services.dispatch.tickets.domain.lifecycle import Action, Move, Status, TicketState
from services.dispatch.tickets.tables import assignments, ticket_history, tickets
from shared.contracts import Priority, ServiceKind, TicketOpened
from shared.persistence.locks import lock_for_transaction


async def add_ticket(connection: AsyncConnection, opened: TicketOpened) -> bool:
    """Record a newly opened ticket; False if dispatch already knows it."""
    result = await connection.execute(
        insert(tickets)
        .values(
            ticket_id=opened.ticket_id,
            site_code=opened.site_code,
            subsystem=opened.subsystem,
            kind=opened.kind.value,
            priority=opened.priority.value,
            status=Status.NEW,
            queue="dispatch",
            reported_at=opened.reported_at,
            reporter=opened.reporter.model_dump(mode="json"),
            device=opened.device.model_dump(mode="json") if opened.device else None,
            coverage=opened.coverage.model_dump(mode="json") if opened.coverage else None,
            found_at=opened.found_at.model_dump(mode="json") if opened.found_at else None,
        )
        .on_conflict_do_nothing()
        .returning(tickets.c.ticket_id)
    )
    return result.first() is not None


async def serialise_site(connection: AsyncConnection, site_code: str) -> None:
    """Take the site's dispatch lock for this transaction, so replicas deciding on the same site's
    tickets see each other's assignments and respect every engineer's limit."""
    await lock_for_transaction(connection, f"dispatch:{site_code}")


async def assign(
    connection: AsyncConnection,
    ticket: TicketState,
    engineer_id: str,
    *,
    rule: str,
    at: datetime,
    actor: str,
    note: str | None,
    status: Status = Status.ASSIGNED,
) -> None:
    """Give the ticket to an engineer (replacing whoever had it), out of any waiting queue."""
    row = {"ticket_id": ticket.ticket_id, "engineer_id": engineer_id, "rule": rule, "assigned_at": at}
    await connection.execute(
        insert(assignments).values(row).on_conflict_do_update(index_elements=[assignments.c.ticket_id], set_=row)
    )
    await connection.execute(
        update(tickets)
        .where(tickets.c.ticket_id == ticket.ticket_id)
        .values(status=status, queue="engineer", waiting_since=None, waiting_why=None, waiting_facts=None)
    )
    await record(
        connection,
        ticket.ticket_id,
        action="assign",
        status=status,
        at=at,
        actor=actor,
        note=note or f"to {engineer_id} ({rule})",
        facts={"engineer_id": engineer_id, "rule": str(rule)},
    )


async def to_quality_desk(
    connection: AsyncConnection, ticket: TicketState, desk: str, *, at: datetime, actor: str
) -> None:
    await set_status(connection, ticket.ticket_id, status=Status.WITH_QUALITY_DESK, queue=desk)
    await record(
        connection,
        ticket.ticket_id,
        action="route",
        status=Status.WITH_QUALITY_DESK,
        at=at,
        actor=actor,
        note=f"to the {desk} desk",
        facts={"desk": desk},
    )


async def to_manager_queue(
    connection: AsyncConnection,
    ticket: TicketState,
    why: str,
    *,
    facts: dict[str, Any] | None = None,
    at: datetime,
    actor: str,
) -> bool:
    """Put the ticket in the service manager's queue; False if it was already waiting there (only the
    reason is brought up to date). `why` in English, `facts` the same as codes and figures."""
    waiting = {"waiting_why": why, "waiting_facts": facts}
    if ticket.status is Status.AWAITING_ASSIGNMENT:
        await connection.execute(update(tickets).where(tickets.c.ticket_id == ticket.ticket_id).values(**waiting))
        return False
    await connection.execute(
        update(tickets)
        .where(tickets.c.ticket_id == ticket.ticket_id)
        .values(status=Status.AWAITING_ASSIGNMENT, queue="service_manager", waiting_since=at, **waiting)
    )
    await record(
        connection,
        ticket.ticket_id,
        action="await",
        status=Status.AWAITING_ASSIGNMENT,
        at=at,
        actor=actor,
        note=why,
        facts=facts,
    )
    return True


async def claim_waiting(connection: AsyncConnection, limit: int) -> list[TicketState]:
    """Lock up to `limit` tickets waiting for an engineer, longest waiting first; tickets another
    replica is routing are skipped."""
    rows = await connection.execute(
        _ticket_state_query()
        .where(tickets.c.status == Status.AWAITING_ASSIGNMENT)
        .order_by(tickets.c.waiting_since)
        .limit(limit)
        .with_for_update(of=tickets, skip_locked=True)
    )
    return [_ticket_state(row) for row in rows]


async def flag_at_risk(connection: AsyncConnection, ticket: TicketState, *, at: datetime) -> bool:
    """Mark the ticket at risk; False if it already was."""
    flagged = await connection.execute(
        update(tickets)
        .where(tickets.c.ticket_id == ticket.ticket_id, tickets.c.at_risk_since.is_(None))
        .values(at_risk_since=at)
    )
    if not flagged.rowcount:
        return False
    note = "the response clock warned and nobody has accepted it"
    await record(
        connection,
        ticket.ticket_id,
        action="at_risk",
        status=ticket.status,
        at=at,
        actor="sla",
        note=note,
        facts={"clock": "response"},
    )
    return True


async def set_status(connection: AsyncConnection, ticket_id: str, *, status: Status, queue: str) -> None:
    await connection.execute(update(tickets).where(tickets.c.ticket_id == ticket_id).values(status=status, queue=queue))


async def ticket_with_assignment(connection: AsyncConnection, ticket_id: str) -> dict[str, Any] | None:
    names = engineer_names()
    row = (
        await connection.execute(
            select(
                tickets,
                assignments.c.engineer_id,
                names.c.engineer_name,
                assignments.c.rule,
                assignments.c.assigned_at,
            )
            .outerjoin(assignments, assignments.c.ticket_id == tickets.c.ticket_id)
            .outerjoin(names, names.c.engineer_id == assignments.c.engineer_id)
            .where(tickets.c.ticket_id == ticket_id)
        )
    ).first()
    return dict(row._mapping) if row else None


def _ticket_state_query() -> Select[Any]:
    return select(tickets, assignments.c.engineer_id).outerjoin(
        assignments, assignments.c.ticket_id == tickets.c.ticket_id
    )


def _ticket_state(row: Row[Any]) -> TicketState:
    return TicketState(
        ticket_id=row.ticket_id,
        site_code=row.site_code,
        subsystem=row.subsystem,
        kind=ServiceKind(row.kind),
        priority=Priority(row.priority),
        status=Status(row.status),
        paused_from=Status(row.paused_from) if row.paused_from else None,
        engineer_id=row.engineer_id,
        reported_at=row.reported_at,
    )


async def ticket_for_update(connection: AsyncConnection, ticket_id: str) -> TicketState | None:
    """The ticket as its moves see it, locked until the transaction ends."""
    row = (
        await connection.execute(
            _ticket_state_query().where(tickets.c.ticket_id == ticket_id).with_for_update(of=tickets)
        )
    ).first()
    return _ticket_state(row) if row is not None else None


async def move_ticket(
    connection: AsyncConnection,
    ticket_id: str,
    *,
    action: Action,
    moved: Move,
    at: datetime,
    actor: str,
    note: str | None,
    facts: dict[str, Any] | None = None,
) -> None:
    """Put the ticket where the move took it and write the move into its history."""
    await connection.execute(
        update(tickets)
        .where(tickets.c.ticket_id == ticket_id)
        .values(status=moved.status, paused_from=moved.paused_from)
    )
    await record(connection, ticket_id, action=action, status=moved.status, at=at, actor=actor, note=note, facts=facts)


async def record(
    connection: AsyncConnection,
    ticket_id: str,
    *,
    action: str,
    status: Status,
    at: datetime,
    actor: str,
    note: str | None,
    facts: dict[str, Any] | None = None,
) -> None:
    """Write one row of the ticket's history: `note` in English or as someone typed it, and what dispatch
    itself says in it as codes and figures (`facts`), which the pages word in their reader's language."""
    await connection.execute(
        ticket_history.insert().values(
            ticket_id=ticket_id, action=action, status=status, at=at, actor=actor, note=note, facts=facts
        )
    )


async def reclassify(
    connection: AsyncConnection,
    ticket: TicketState,
    *,
    kind: str,
    priority: str,
    reason: str,
    actor: str,
    at: datetime,
) -> None:
    await connection.execute(
        update(tickets).where(tickets.c.ticket_id == ticket.ticket_id).values(kind=kind, priority=priority)
    )
    note = f"now a {kind} of {priority} priority: {reason}"
    facts = {"kind": kind, "priority": priority, "reason": reason}
    await record(
        connection,
        ticket.ticket_id,
        action="reclassify",
        status=ticket.status,
        at=at,
        actor=actor,
        note=note,
        facts=facts,
    )


async def set_appointment(
    connection: AsyncConnection, ticket_id: str, *, starts: datetime, ends: datetime, agreed_with: str
) -> None:
    await connection.execute(
        update(tickets)
        .where(tickets.c.ticket_id == ticket_id)
        .values(appointment_starts=starts, appointment_ends=ends, appointment_agreed_with=agreed_with)
    )


async def unassign(connection: AsyncConnection, ticket_id: str) -> None:
    await connection.execute(assignments.delete().where(assignments.c.ticket_id == ticket_id))
