"""Photos from the engineer's phone: uploaded with the ticket's work (the image itself as the body),
kept, listed, and shown in the ticket's on-site service report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.archive.db import photos as photo_rows
from services.archive.db import timeline
from services.archive.domain.photos import PhotoKind, check_customer_photo, checked, may_add
from services.archive.domain.story import Story, as_event
from shared.contracts import TicketAssigned
from shared.days import Moment
from shared.http import Caller, Database, Problem
from shared.identity import Role
from shared.refusals import Refused

router = APIRouter(tags=["archive: photos"])
PICTURES = ("image/jpeg", "image/png")
BINARY = {"type": "string", "format": "binary"}


@router.post(
    "/tickets/{ticket_id}/photos",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in ("image/jpeg", "image/png")},
        }
    },
)
async def add_photo(
    ticket_id: str,
    request: Request,
    database: Database,
    caller: Caller,
    kind: PhotoKind,
    taken_at: Annotated[Moment | None, Query(description="When it was taken; default: now.")] = None,
) -> dict[str, Any]:
    """A photo of the ticket's work (before, after, or a device's label), or of the problem as the customer
    reported it (from_customer): the JPEG or PNG as the body. The engineer the ticket is assigned to adds it,
    or a manager, or (of what they reported) the customer's representative; the same picture again is
    kept once."""
    # A customer's photo is dated when it arrives: the report shows the photos of each visit by their dates.
    when = datetime.now(UTC) if caller.customer_only else (taken_at or datetime.now(UTC))
    if when.tzinfo is None:
        raise Problem(422, "naive_time", "taken_at needs its time zone, e.g. 2026-11-27T09:41:00+08:00")
    try:
        photo = checked(await request.body(), kind, when)
    except Refused as refused:
        raise Problem.of(refused, {"photo_too_large": 413}) from refused
    async with database.connect() as connection:
        story = Story.of(as_event(*row) for row in await timeline.events_of_ticket(connection, ticket_id))
        if story.opened is None:
            raise Problem(404, "unknown_ticket", f"the archive has heard nothing of ticket {ticket_id!r} yet")
        assigned = story.last(TicketAssigned)
        holder = assigned.engineer_id if assigned else None
        manager = bool(caller.roles & {Role.MANAGER, Role.ADMIN})
        if not may_add(kind, holder, caller.engineer_id, manager=manager, customer=caller.customer_only):
            if caller.customer_only:
                raise Problem(403, "photo_kind", "a customer adds photos of what they report: kind=from_customer")
            raise Problem(
                403, "not_your_ticket", f"{ticket_id} is assigned to engineer {holder}; you are {caller.actor}"
            )
        if caller.customer_only:
            await photo_rows.hold_ticket(connection, ticket_id)
            try:
                check_customer_photo(
                    await photo_rows.count_of_kind(connection, ticket_id, kind.value), finished=story.finished
                )
            except Refused as refused:
                raise Problem.of(refused, {}, default=409) from refused
        photo_id = await photo_rows.add(connection, ticket_id, story.opened.site_code, photo, by=caller.actor)
        await connection.commit()
    return {"id": photo_id, "ticket_id": ticket_id, "kind": kind.value, "sha256": photo.sha256}


@router.get("/tickets/{ticket_id}/photos")
async def ticket_photos(ticket_id: str, database: Database) -> list[dict[str, Any]]:
    """The ticket's photos, as taken (their bytes are in the on-site service report)."""
    async with database.connect() as connection:
        return await photo_rows.listing(connection, ticket_id)
