"""The archive's entry points: the events it files documents for, and its HTTP API."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.archive.db import repository
from services.archive.domain.documents import Category
from services.archive.domain.records import service_request_record
from services.archive.filing import file_document
from shared.contracts import Envelope, TicketOpened
from shared.http import Database, Problem
from shared.messaging.consumer import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork

events = MessageHandlers()
router = APIRouter(tags=["archive"])


@events.on(TicketOpened)
async def on_ticket_opened(message: Envelope[TicketOpened], uow: UnitOfWork) -> None:
    await file_document(uow, service_request_record(message.payload), now=datetime.now(UTC))


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
