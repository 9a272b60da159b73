"""The vendor service's entry points: the escalations dispatch asks for, the directory it keeps from
intake's events, the partners' replies, and its HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints

from services.vendor import escalation, swaps
from services.vendor.db import repository
from services.vendor.domain.agreements import check_terms
from services.vendor.domain.cases import OPEN
from services.vendor.replies import take_reply
from shared.contracts import (
    Agreement,
    DeviceSwapped,
    Envelope,
    EquipmentChanged,
    SiteCalendarSet,
    SiteDescribed,
    TicketEscalationNeeded,
)
from shared.contracts.partners import REPLIES, PartnerMessage
from shared.http import Actor, Caller, Database, Problem
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused

events = MessageHandlers()
replies = MessageHandlers()
router = APIRouter(tags=["vendor"])


@events.on(TicketEscalationNeeded)
async def on_escalation_needed(message: Envelope[TicketEscalationNeeded], uow: UnitOfWork) -> None:
    await escalation.open_case(uow, message.payload, now=datetime.now(UTC))


@events.on(SiteDescribed)
async def on_site_described(message: Envelope[SiteDescribed], uow: UnitOfWork) -> None:
    site = message.payload
    await repository.describe_site(
        uow.connection,
        code=site.site_code,
        name=site.name,
        address=site.address,
        timezone=site.timezone,
        representative=site.representative,
    )


@events.on(SiteCalendarSet)
async def on_site_calendar(message: Envelope[SiteCalendarSet], uow: UnitOfWork) -> None:
    await repository.keep_site_calendar(uow.connection, message.payload)


@events.on(EquipmentChanged)
async def on_equipment_changed(message: Envelope[EquipmentChanged], uow: UnitOfWork) -> None:
    change = message.payload
    await repository.keep_device(uow.connection, change.site_code, change.device, change.changed_at)


@events.on(DeviceSwapped)
async def on_device_swapped(message: Envelope[DeviceSwapped], uow: UnitOfWork) -> None:
    await swaps.device_swapped(uow, message.payload, now=datetime.now(UTC))


async def on_reply(message: Envelope[PartnerMessage], uow: UnitOfWork) -> None:
    await take_reply(uow, message, now=datetime.now(UTC))


for reply in REPLIES:
    replies.on(reply)(on_reply)


STATUSES = {"unknown_case": 404, "unknown_partner": 404, "impossible_step": 409, "partner_not_ready": 409}


@router.get("/cases")
async def list_cases(
    database: Database,
    partner: str | None = None,
    status: str | None = None,
    ticket_id: str | None = None,
    open: bool = False,
) -> list[dict[str, Any]]:
    """Vendor cases by partner, status or ticket; `open=true`: those still with the partner or to be sent."""
    statuses = [status] if status is not None else (sorted(s.value for s in OPEN) if open else None)
    async with database.connect() as connection:
        return await repository.cases_of(connection, ticket_id=ticket_id, partner=partner, statuses=statuses)


@router.get("/cases/{case_number}")
async def get_case(case_number: str, database: Database) -> dict[str, Any]:
    """A case, the request the partner got, and every step of it."""
    async with database.connect() as connection:
        found = await repository.case_with_history(connection, _number(case_number))
    if found is None:
        raise Problem(404, "unknown_case", f"no vendor case {case_number}")
    return found


CUSTOMER_SEES_OF_A_CASE = frozenset(
    {"case_number", "ticket_id", "reason", "status", "asset_tag", "created_at", "updated_at", "closed_at"}
)


@router.get("/tickets/{ticket_id}/escalations")
async def get_escalations(ticket_id: str, database: Database, caller: Caller) -> list[dict[str, Any]]:
    """The ticket's escalations to manufacturers (empty when there are none). A customer sees that the
    manufacturer has it, and how far it is; the letter, the agreement and the engineer's findings and
    phone are the integrator's business with its partner."""
    async with database.connect() as connection:
        found = await repository.cases_of(connection, ticket_id=ticket_id)
    if caller.customer_only:
        return [{k: v for k, v in case.items() if k in CUSTOMER_SEES_OF_A_CASE} for case in found]
    return found


class Reason(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Note(BaseModel):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


@router.post("/cases/{case_number}/send")
async def send_case(case_number: str, database: Database) -> dict[str, str]:
    """Send a case that waited (its partner was not onboarded yet, or disabled) now."""

    async def send(uow: UnitOfWork, number: int, now: datetime) -> None:
        if not await escalation.send(uow, number, now=now):
            raise Refused("partner_not_ready", f"{case_number}'s partner is not active or has no agreement")

    return await _act(database, case_number, "sent", send)


@router.get("/directory/sites/{site_code}")
async def directory_site(site_code: str, database: Database) -> dict[str, Any]:
    """What the vendor service knows of a site, from intake's events."""
    async with database.connect() as connection:
        row = await repository.site(connection, site_code)
    if row is None:
        raise Problem(404, "unknown_site", f"the vendor service has not heard of site {site_code!r} yet")
    return dict(row._mapping)


@router.post("/cases/{case_number}/cancel")
async def cancel_case(case_number: str, body: Reason, database: Database, actor: Actor) -> dict[str, str]:
    """We no longer need the partner: it is told, and the ticket goes back to its engineer."""
    return await _act(
        database,
        case_number,
        "cancelled",
        lambda uow, n, now: escalation.cancel(uow, n, reason=body.reason, actor=actor, now=now),
    )


@router.post("/cases/{case_number}/fixed")
async def fixed_case(case_number: str, body: Note, database: Database, actor: Actor) -> dict[str, str]:
    """The partner's work is done (seen on site): the ticket goes back to its engineer."""
    return await _act(
        database, case_number, "fixed", lambda uow, n, now: escalation.fix(uow, n, note=body.note, actor=actor, now=now)
    )


@router.post("/cases/{case_number}/close")
async def close_case(case_number: str, database: Database, actor: Actor) -> dict[str, str]:
    """The service manager's check of a case that ended."""
    return await _act(
        database, case_number, "closed", lambda uow, n, now: escalation.close(uow, n, actor=actor, now=now)
    )


async def _act(database: Any, case_number: str, status: str, action: Any) -> dict[str, str]:
    try:
        async with database.unit_of_work() as uow:
            await action(uow, _number(case_number), datetime.now(UTC))
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"case_number": case_number, "status": status}


def _number(case_number: str) -> int:
    number = repository.number_of(case_number)
    if number is None:
        raise Problem(404, "unknown_case", f"{case_number!r} is not a case number (VC-000123)")
    return number


@router.get("/partners")
async def list_partners(database: Database) -> list[dict[str, Any]]:
    async with database.connect() as connection:
        return await repository.partners_list(connection)


@router.get("/partners/{code}/agreement")
async def partner_agreements(code: str, database: Database) -> list[dict[str, Any]]:
    """Every version of the partner's agreement; a case keeps the version it was sent under."""
    async with database.connect() as connection:
        if await repository.partner(connection, code) is None:
            raise Problem(404, "unknown_partner", f"no partner {code!r}")
        return await repository.agreement_versions(connection, code)


@router.put("/partners/{code}/agreement")
async def put_agreement(code: str, terms: Agreement, database: Database) -> dict[str, Any]:
    """Save the partner's agreement as its next version; cases already sent keep theirs."""
    try:
        check_terms(terms)
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    async with database.unit_of_work() as uow:
        if await repository.partner(uow.connection, code) is None:
            raise Problem(404, "unknown_partner", f"no partner {code!r}")
        version = await repository.save_agreement(uow.connection, code, terms)
    return {"partner": code, "version": version}
