"""Notes on a ticket: the integrator's staff write them for each other (internal) or for the customer,
and the customer's representative comments on their own ticket. Each goes into the ticket's history
(`note`, the staff's alone; `note_for_customer` and `comment`, which both read: common/customer_view.py)
and leaves as `ticket.noted` for the archive's record and service report and for the customer's own
systems (a note for the customer, or their comment, only). A note carries the moment it was written:
an engineer's phone without a signal sends it later (never in the future, never before the report)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.lifecycle import Status, TicketState
from services.dispatch.tickets.ownership import engineer_owns_ticket
from shared.contracts import TicketCustomerWrote, TicketNoted
from shared.contracts.bounds import MAX_TEXT
from shared.http import Actor, Database, Problem
from shared.messaging.failures import NotYet
from shared.messaging.unit_of_work import UnitOfWork
from shared.moments import in_the_future

router = APIRouter()

INTERNAL, FOR_CUSTOMER, COMMENT = "note", "note_for_customer", "comment"
"""The history's actions for the kinds of note."""


class Note(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
    for_customer: bool = Field(False, description="True: the customer reads it too; default: the staff's alone.")
    written_at: AwareDatetime | None = Field(
        None, description="When it was written (a phone offline at the time sends it later); default: now."
    )


class Comment(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]


# An engineer writes on the tickets they hold only (as they move them): a note may reach the customer.
@router.post("/tickets/{ticket_id}/notes", status_code=201, dependencies=[Depends(engineer_owns_ticket)])
async def write_note(ticket_id: str, note: Note, database: Database, actor: Actor) -> dict[str, Any]:
    """Write a note on the ticket, internal or for the customer; it shows in the ticket's history."""
    action = FOR_CUSTOMER if note.for_customer else INTERNAL
    now = datetime.now(UTC)
    if note.written_at is not None and in_the_future(note.written_at, now):
        raise Problem(422, "in_the_future", f"a note written at {note.written_at.isoformat()} is in the future")
    return await _written(database, ticket_id, note.text, action=action, author=actor, at=note.written_at or now)


@router.post("/tickets/{ticket_id}/comments", status_code=201)
async def write_comment(ticket_id: str, comment: Comment, database: Database, actor: Actor) -> dict[str, Any]:
    """The customer's representative writes on their own ticket (until it is closed); both read it in
    the ticket's history, and whoever holds the ticket is told."""
    return await _written(database, ticket_id, comment.text, action=COMMENT, author=actor, at=datetime.now(UTC))


async def _written(
    database: Any, ticket_id: str, text: str, *, action: str, author: str, at: datetime
) -> dict[str, Any]:
    async with database.unit_of_work() as uow:
        ticket = await repository.ticket_for_update(uow.connection, ticket_id)
        if ticket is None:
            raise Problem(404, "unknown_ticket", f"dispatch has no ticket {ticket_id!r} (yet)")
        if action == COMMENT and ticket.status is Status.CLOSED:
            raise Problem(409, "ticket_closed", f"{ticket_id} is closed: report the problem again as a new request")
        if at < ticket.reported_at:
            raise Problem(422, "before_report", f"a note written at {at.isoformat()} is before the ticket was reported")
        await _record(uow, ticket, text, action=action, author=author, at=at)
    return {"ticket_id": ticket_id, "action": action, "note": text, "at": at.isoformat(), "actor": author}


async def customer_wrote(uow: UnitOfWork, wrote: TicketCustomerWrote) -> None:
    """The customer's mail about their ticket, as their comment: whatever the ticket's status (their
    words are never turned away; on a closed ticket the managers read them), at its arrival."""
    ticket = await repository.ticket_for_update(uow.connection, wrote.ticket_id)
    if ticket is None:  # its ticket.opened waits on dispatch's queue: tried again later
        raise NotYet(f"{wrote.ticket_id}: dispatch has not taken in this ticket yet")
    author = wrote.author if wrote.verified else f"{wrote.author} (?)"
    await _record(uow, ticket, wrote.text, action=COMMENT, author=author, at=max(wrote.written_at, ticket.reported_at))


async def _record(uow: UnitOfWork, ticket: TicketState, text: str, *, action: str, author: str, at: datetime) -> None:
    await repository.record(
        uow.connection, ticket.ticket_id, action=action, status=ticket.status, at=at, actor=author, note=text
    )
    uow.publish(
        TicketNoted(
            ticket_id=ticket.ticket_id, site_code=ticket.site_code, text=text, for_customer=action != INTERNAL,
            author=author, written_at=at, by_customer=action == COMMENT,
        ),
        correlation_id=ticket.ticket_id,
    )  # fmt: skip
