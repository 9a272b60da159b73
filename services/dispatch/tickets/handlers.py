"""The tickets' entry points: the events dispatch consumes on `dispatch.inbox`, and the HTTP API of a
ticket's life (its moves, history and check-ins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field, StringConstraints, field_validator

from services.dispatch.common import customer_view, site_calendars
from services.dispatch.tickets import arrival_rows as arrivals
from services.dispatch.tickets import history_rows, links, notes, queues, repository
from services.dispatch.tickets.assignment import dispatch_ticket, reroute_reclassified
from services.dispatch.tickets.domain.arrival import Position
from services.dispatch.tickets.domain.lifecycle import Action, MoveRefused, Refusal, field_work_table, moves_table
from services.dispatch.tickets.escalations import case_ended
from services.dispatch.tickets.moves import UnknownTicket, move_ticket
from services.dispatch.tickets.ownership import engineer_owns_ticket
from services.dispatch.tickets.risk import flag_if_unaccepted
from shared.contracts import (
    CustomerConfirmation,
    Envelope,
    SiteCalendarSet,
    SlaWarning,
    TicketCustomerWrote,
    TicketOpened,
    TicketReclassified,
    VendorEscalationClosed,
)
from shared.days import AwareMoment
from shared.http import Actor, Caller, Database, Problem, rows_response
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.signatures import png_in_base64

events = MessageHandlers()
router = APIRouter()  # tagged `dispatch` with every area's routes (routes.py)


@events.on(TicketOpened)
async def on_ticket_opened(message: Envelope[TicketOpened], uow: UnitOfWork) -> None:
    await dispatch_ticket(uow, message.payload, now=datetime.now(UTC))


@events.on(TicketReclassified)
async def on_ticket_reclassified(message: Envelope[TicketReclassified], uow: UnitOfWork) -> None:
    await reroute_reclassified(uow, message.payload, now=datetime.now(UTC))


@events.on(VendorEscalationClosed)
async def on_vendor_case_closed(message: Envelope[VendorEscalationClosed], uow: UnitOfWork) -> None:
    await case_ended(uow, message.payload, now=datetime.now(UTC))


@events.on(TicketCustomerWrote)
async def on_customer_wrote(message: Envelope[TicketCustomerWrote], uow: UnitOfWork) -> None:
    """The customer's mail about their ticket: their comment on it (notes.py)."""
    await notes.customer_wrote(uow, message.payload)


@events.on(SlaWarning)
async def on_sla_warning(message: Envelope[SlaWarning], uow: UnitOfWork) -> None:
    await flag_if_unaccepted(uow, message.payload, now=datetime.now(UTC))


@events.on(SiteCalendarSet)
async def on_site_calendar(message: Envelope[SiteCalendarSet], uow: UnitOfWork) -> None:
    """The site's working days, for its follow-up calls and inspections (common/site_calendars.py)."""
    await site_calendars.keep(uow.connection, message.payload)


@router.get("/tickets")
async def list_open_tickets(database: Database, caller: Caller, site_code: str | None = None) -> Response:
    """Every ticket not closed yet, oldest first: the service manager's board, a customer's open list
    (without how dispatch decided: common/customer_view.py)."""
    async with database.connect() as connection:
        found = await queues.open_tickets(connection, site_code=site_code)
    return rows_response([customer_view.ticket(row) for row in found] if caller.customer_only else found)


@router.get("/lifecycle")
async def lifecycle() -> dict[str, Any]:
    """The moves of a ticket's life: for each, the statuses it applies to and the status it leads to
    (`to` null: back to the status the ticket was paused in); and the statuses the field work beside
    them (escalate, swap) applies to."""
    return {"moves": moves_table(), "field_work": field_work_table()}


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: str, database: Database, caller: Caller) -> dict[str, Any]:
    """Where the ticket is in its lifecycle, who holds it, and the tickets it belongs with."""
    async with database.connect() as connection:
        found = await repository.ticket_with_assignment(connection, ticket_id)
        if found is None:
            raise Problem(404, "unknown_ticket", f"dispatch has no ticket {ticket_id!r} (yet)")
        found["links"] = await links.links_shown(connection, ticket_id)
    return customer_view.ticket(found) if caller.customer_only else found


class Confirmation(CustomerConfirmation):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

    @field_validator("signature_png")
    @classmethod
    def _a_png(cls, value: str | None) -> str | None:
        return png_in_base64(value)


class PhonePosition(BaseModel):
    """The browser's geolocation: WGS 84 degrees, and the fix's accuracy in metres."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


class MoveRequest(BaseModel):
    at: AwareMoment | None = Field(default=None, description="When it happened in the field; default: now.")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = Field(
        default=None,
        description="Why (pause: waiting_for_customer, waiting_for_parts or waiting_for_vendor; reopen: free text).",
    )
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)] | None = Field(
        default=None, description="What was done (resolve)."
    )
    parts: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=50, description="Parts used (resolve)."
    )
    confirmation: Confirmation | None = Field(default=None, description="The customer's sign-off on site (resolve).")
    position: PhonePosition | None = Field(
        default=None, description="Where the phone was at check-in (arrive): compared with the site's coordinates."
    )


# A refusal either says the request must change (422) or that the ticket's state does not allow the move (409).
REFUSAL_STATUS = {
    Refusal.IN_THE_FUTURE: 422,
    Refusal.BEFORE_REPORT: 422,
    Refusal.REASON_REQUIRED: 422,
    Refusal.UNKNOWN_PAUSE_REASON: 422,
    Refusal.SUMMARY_REQUIRED: 422,
    Refusal.NOT_IN_THIS_STATE: 409,
    Refusal.NO_ENGINEER: 409,
    Refusal.FOLLOW_UP_PENDING: 409,
}


@router.post("/tickets/{ticket_id}/{action}", dependencies=[Depends(engineer_owns_ticket)])
async def move(
    ticket_id: str, action: Action, database: Database, actor: Actor, body: MoveRequest | None = None
) -> dict[str, Any]:
    """Move a ticket along: accept, arrive (on site), pause, resume, resolve, reopen, close."""
    request = body or MoveRequest()
    now = datetime.now(UTC)
    try:
        async with database.unit_of_work() as uow:
            status = await move_ticket(
                uow,
                ticket_id,
                action,
                at=request.at or now,
                now=now,
                actor=actor,
                reason=request.reason,
                summary=request.summary,
                parts=tuple(request.parts),
                confirmation=request.confirmation,
                position=_position(request.position),
            )
            # An arrival's check (how far from the site, or why flagged): the phone says it at once.
            arrival = (
                await history_rows.last_facts(uow.connection, ticket_id, action) if action is Action.ARRIVE else None
            )
    except UnknownTicket as unknown:
        raise Problem(404, "unknown_ticket", str(unknown)) from unknown
    except MoveRefused as refused:
        raise Problem(REFUSAL_STATUS[refused.refusal], refused.refusal.value, refused.message) from refused
    answer: dict[str, Any] = {"ticket_id": ticket_id, "status": status.value}
    if arrival is not None:
        answer["arrival"] = arrival
    return answer


def _position(given: PhonePosition | None) -> Position | None:
    return Position(given.latitude, given.longitude, given.accuracy_m) if given else None


@router.get("/arrivals")
async def list_arrivals(
    database: Database,
    flagged: bool = False,
    site_code: str | None = None,
    ticket_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Engineers' check-ins on site, newest first, each with the phone's position and its distance from
    the site; `flagged=true`: those too far, too vague or without a position, for the manager to look at."""
    async with database.connect() as connection:
        found = await arrivals.listing(
            connection, flagged=flagged, site_code=site_code, ticket_id=ticket_id, limit=limit
        )
    return rows_response(found)


@router.get("/tickets/{ticket_id}/history")
async def ticket_history(ticket_id: str, database: Database, caller: Caller) -> list[dict[str, Any]]:
    """Every move of the ticket, in order: the service record (a customer's without staff notes)."""
    async with database.connect() as connection:
        found = await history_rows.history(connection, ticket_id)
    return customer_view.history(found) if caller.customer_only else found
