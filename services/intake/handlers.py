"""Intake's entry points: the HTTP API, the `intake.requests` queue for systems that submit requests
by message (the mail gateway, the inspection app), and the events that change the register (a device
swapped on site)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, StringConstraints

from services.intake import preview, register_handlers, serial_handlers
from services.intake.db import repository
from services.intake.domain import customer_view
from services.intake.mail import file_handlers as mail_file_handlers
from services.intake.mail import handlers as mail_handlers
from services.intake.reclassification import reclassify
from services.intake.settings import IntakeSettings
from services.intake.submission import RequestRefused, reject, submit
from services.intake.swaps import swap_device
from shared.contracts import (
    DeviceSwapped,
    Envelope,
    Priority,
    RequestChannel,
    ServiceKind,
    SubmitServiceRequest,
    TicketReclassified,
)
from shared.http import Actor, Caller, Database, Problem
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.problems import documented
from shared.refusals import Refused
from shared.settings import ServiceSettings

router = APIRouter(tags=["intake"])
router.include_router(register_handlers.router)
router.include_router(serial_handlers.router)
router.include_router(preview.router)
router.include_router(mail_handlers.router)
router.include_router(mail_file_handlers.router)


def command_handlers(settings: ServiceSettings) -> MessageHandlers:
    intake = cast(IntakeSettings, settings)
    commands = MessageHandlers()

    @commands.on(SubmitServiceRequest)
    async def on_submit_request(message: Envelope[SubmitServiceRequest], uow: UnitOfWork) -> None:
        try:
            await submit(
                uow,
                message.payload,
                now=datetime.now(UTC),
                duplicate_window=intake.duplicate_window,
                max_report_age=intake.max_report_age,
            )
        except RequestRefused as refused:
            await reject(uow, message, refused)

    return commands


events = MessageHandlers()


@events.on(DeviceSwapped)
async def on_device_swapped(message: Envelope[DeviceSwapped], uow: UnitOfWork) -> None:
    await swap_device(uow, message.payload)


async def _settings(request: Request) -> IntakeSettings:
    return cast(IntakeSettings, request.app.state.runtime.settings)


Settings = Annotated[IntakeSettings, Depends(_settings)]


class TicketReceipt(BaseModel):
    ticket_id: str
    kind: ServiceKind
    priority: Priority
    status: str
    joined_because: str | None = None


@router.post(
    "/requests",
    status_code=201,
    response_model=TicketReceipt,
    responses={
        200: {"description": "Joined an open ticket for the same request or problem"},
        409: documented("The request_id was sent before with other content."),
    },
)
async def submit_request(
    body: SubmitServiceRequest, database: Database, settings: Settings, response: Response, caller: Caller
) -> TicketReceipt:
    """Open a ticket for a service request; answers with its ticket id. A customer's representative
    reports for its own site only, and its requests come by the channel `portal`."""
    if not caller.sees(body.site_code):
        raise Problem(403, "other_site", f"you represent site {caller.site_code}, not {body.site_code}")
    if caller.customer_only:  # the customer's own request, from the console or their own systems
        body = body.model_copy(update={"channel": RequestChannel.PORTAL})
    # Which inspection item found a fault, dispatch says on the queue; over HTTP nobody can claim one.
    body = body.model_copy(update={"found_at": None})
    try:
        async with database.unit_of_work() as uow:
            result = await submit(
                uow,
                body,
                now=datetime.now(UTC),
                duplicate_window=settings.duplicate_window,
                max_report_age=settings.max_report_age,
            )
    except RequestRefused as refused:
        raise Problem.of(refused, {"request_id_reused": 409}) from refused
    if not result.created:
        response.status_code = 200
    return TicketReceipt(
        ticket_id=result.ticket_id,
        kind=result.kind,
        priority=result.priority,
        status="opened" if result.created else "joined_existing",
        joined_because=result.joined_because,
    )


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: str, database: Database, caller: Caller) -> dict[str, Any]:
    """The request as intake recorded it; a customer sees each reclassification, not why nor who (the
    staff's reasons, shared/contracts/visibility.py)."""
    async with database.connect() as connection:
        found = await repository.request(connection, ticket_id)
        if found is None:
            raise Problem(404, "unknown_ticket", f"intake has no ticket {ticket_id!r}")
        changes = await repository.changes_of(connection, ticket_id)
    found["reclassifications"] = customer_view.reclassifications(changes) if caller.customer_only else changes
    found.pop("fingerprint", None)
    return found


class Reclassification(BaseModel):
    kind: ServiceKind | None = None
    priority: Priority | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


@router.post("/tickets/{ticket_id}/reclassify")
async def reclassify_ticket(
    ticket_id: str, change: Reclassification, database: Database, actor: Actor
) -> TicketReclassified:
    """Change the ticket's kind or priority, with the reason. Its clocks are replanned from the original
    report (time already paused stays paused); a ticket that becomes a complaint goes to the quality desk."""
    try:
        async with database.unit_of_work() as uow:
            return await reclassify(
                uow,
                ticket_id,
                kind=change.kind,
                priority=change.priority,
                reason=change.reason,
                actor=actor,
                now=datetime.now(UTC),
            )
    except Refused as refused:
        raise Problem.of(refused, {"unknown_ticket": 404}) from refused


@router.get("/sites")
async def list_sites(database: Database) -> list[dict[str, Any]]:
    """Sites under contract and their subsystems (codes, and each one's name and local name), the
    service as a whole among them (for a complaint or a question about the service itself)."""
    async with database.connect() as connection:
        return await repository.sites_with_subsystems(connection)


@router.get("/rejections")
async def list_rejections(database: Database, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    """Requests from the queue that could not become tickets, newest first, with the reason."""
    async with database.connect() as connection:
        return await repository.rejections(connection, limit)
