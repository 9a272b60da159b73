"""The archive's entry points: every event of the suite (kept in its timeline; some file documents),
and its HTTP API."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.archive import timeline
from services.archive.db import repository
from services.archive.db import timeline as timeline_rows
from services.archive.domain.documents import Category
from services.archive.domain.records import service_request_record
from services.archive.filing import file_document
from shared.contracts import Envelope, Event, TicketOpened
from shared.contracts.catalogue import EVENTS
from shared.http import Database, Problem
from shared.messaging.consumer import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork

events = MessageHandlers()
router = APIRouter(tags=["archive"])


async def on_event(message: Envelope[Event], uow: UnitOfWork) -> None:
    await timeline.keep(uow, message)
    if isinstance(message.payload, TicketOpened):
        await file_document(uow, service_request_record(message.payload), now=datetime.now(UTC))


for event in EVENTS:
    events.on(event)(on_event)


@router.get("/tickets/{ticket_id}/timeline")
async def ticket_timeline(ticket_id: str, database: Database) -> list[dict[str, Any]]:
    """Every event the suite published about the ticket, in the order it happened."""
    async with database.connect() as connection:
        found = await timeline_rows.of_ticket(connection, ticket_id)
    if not found:
        raise Problem(404, "unknown_ticket", f"the archive has heard nothing of ticket {ticket_id!r}")
    return found


@router.get("/documents")
async def find_documents(
    database: Database,
    ticket_id: str | None = None,
    site_code: str | None = None,
    category: Category | None = None,
    year: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Documents by ticket, site, category (PLN, RPT, CFM, REC, FUP, REG) and year, newest first."""
    async with database.connect() as connection:
        return await repository.find(
            connection, ticket_id=ticket_id, site_code=site_code, category=category, year=year, limit=limit
        )


@router.get("/documents/{code}")
async def get_document(code: str, database: Database) -> dict[str, Any]:
    """The latest version of a document, content included."""
    async with database.connect() as connection:
        found = await repository.latest(connection, code)
    if found is None:
        raise Problem(404, "unknown_document", f"no document {code!r} in the archive")
    return found


@router.get("/documents/{code}/content")
async def get_document_content(code: str, database: Database) -> Response:
    """The exact bytes that were filed; their SHA-256 is in the `ETag` (hex) and `Repr-Digest` headers."""
    async with database.connect() as connection:
        found = await repository.latest(connection, code)
    if found is None:
        raise Problem(404, "unknown_document", f"no document {code!r} in the archive")
    digest = base64.b64encode(bytes.fromhex(found["sha256"])).decode()
    return Response(
        content=found["content"].encode(),
        media_type=found["media_type"],
        headers={"ETag": f'"{found["sha256"]}"', "Repr-Digest": f"sha-256=:{digest}:"},
    )
