"""The archive's entry points: every event of the suite (kept in its timeline; some file documents),
and its HTTP API."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Response

from services.archive import (
    photo_handlers,
    reading,
    register_handlers,
    service_report_handlers,
    ticket_lines,
    ticket_list_handlers,
    timeline,
    typesetting,
)
from services.archive.db import catalogue, repository
from services.archive.db import timeline as timeline_rows
from services.archive.db.repository import Search
from services.archive.domain import customer_copy
from services.archive.domain.documents import Category, canonical_json
from services.archive.filing import file_what_it_records
from services.archive.register_handlers import PdfRenderer, Settings
from services.archive.settings import ArchiveSettings
from shared.calendar_queries import Day, Year
from shared.contracts import DocumentArchived, Envelope, Event
from shared.contracts.catalogue import EVENTS
from shared.http import Caller, Database, Problem, file_named, rows_response
from shared.identity import Identity
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.settings import ServiceSettings
from shared.spreadsheets import MEDIA_TYPES, SheetFormat, write_sheet
from shared.words import Language

router = APIRouter(tags=["archive"])
router.include_router(register_handlers.router)
router.include_router(photo_handlers.router)
router.include_router(ticket_list_handlers.router)
router.include_router(service_report_handlers.router)


HEARD = tuple(sorted(event.message_type for event in EVENTS if event is not DocumentArchived))
"""What the archive's queue is bound to: every event of the suite but its own `document.archived`, which
it keeps in its timeline as it files the document (filing.py, sequencing.py)."""


def event_handlers(settings: ServiceSettings) -> MessageHandlers:
    """Every event: kept in the timeline, and drafted as the documents it makes (numbered, chained and
    filed by the sequencer, their PDFs typeset after)."""
    archive_settings = cast(ArchiveSettings, settings)
    events = MessageHandlers()

    async def on_event(message: Envelope[Event], uow: UnitOfWork) -> None:
        line_held = False
        if await timeline.keep(uow, message):  # a message heard twice moves the list once
            line_held = await ticket_lines.take(uow.connection, message)
        await file_what_it_records(
            uow, message.payload, default_timezone=archive_settings.default_timezone, ordered_by_its_line=line_held
        )

    for event in EVENTS:
        events.on(event)(on_event)
    return events


@router.get("/tickets/{ticket_id}/timeline")
async def ticket_timeline(ticket_id: str, database: Database, caller: Caller) -> list[dict[str, Any]]:
    """Every event the suite published about the ticket, in the order it happened; a customer sees each
    as shared/contracts/visibility.py lets them, and not those that are the staff's alone."""
    async with database.connect() as connection:
        found = await timeline_rows.of_ticket(connection, ticket_id)
    if not found:
        raise Problem(404, "unknown_ticket", f"the archive has heard nothing of ticket {ticket_id!r}")
    return customer_copy.customer_timeline(found) if caller.customer_only else found


@router.get("/documents")
async def find_documents(
    database: Database,
    caller: Caller,
    ticket_id: str | None = None,
    site_code: str | None = None,
    category: Category | None = None,
    year: Year | None = None,
    serial_number: Annotated[str | None, Query(description="A device's serial number the document names.")] = None,
    q: Annotated[
        str | None, Query(description="Words of the document's text, Chinese included; all must appear.")
    ] = None,
    archived_from: Annotated[Day | None, Query(description="Filed on or after this day (UTC).")] = None,
    archived_to: Annotated[Day | None, Query(description="Filed on or before this day (UTC).")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Documents by ticket, site, category (REC, DSP, RPT, FUP, CMP, VND, INS, REG ...), year, device serial
    number, words and the days they were filed; newest first. A customer finds the documents of their
    categories only, by the words of what they see of each (a complaint record's customer copy)."""
    search = Search(
        ticket_id=ticket_id,
        site_code=site_code,
        category=category,
        year=year,
        serial_number=serial_number,
        words=tuple(q.split()) if q else (),
        archived_from=_day_start(archived_from),
        archived_before=_day_start(archived_to + timedelta(days=1)) if archived_to else None,
        customer=caller.customer_only,
    )
    async with database.connect() as connection:
        return rows_response(await repository.find(connection, search, limit=limit))


CATALOGUE_COLUMNS = (
    ("档号 Code", "code"),
    ("版本 Version", "version"),
    ("年度 Year", "year"),
    ("类别 Category", "category"),
    ("题名 Title", "title"),
    ("工单 Ticket", "ticket_id"),
    ("替代版本 Supersedes", "supersedes"),
    ("归档时间 Archived (UTC)", "archived_at"),
    ("内容摘要 SHA-256", "sha256"),
    ("PDF 摘要 PDF SHA-256", "pdf_sha256"),
)


@router.get(
    "/sites/{site_code}/catalogue",
    responses={200: {"content": {media_type: {} for media_type in MEDIA_TYPES.values()}}},
)
async def site_catalogue(
    site_code: str,
    database: Database,
    caller: Caller,
    year: Year | None = None,
    category: Category | None = None,
    format: Annotated[SheetFormat | None, Query(description="csv or xlsx for a file; default: JSON.")] = None,
) -> Any:
    """The site's catalogue of documents (档案目录), by year, category and code, every version (a
    customer's: the documents of their categories)."""
    async with database.connect() as connection:
        if format is None:
            listed = await catalogue.as_json(
                connection, site_code, year=year, category=category, customer=caller.customer_only
            )
            return Response(content=listed, media_type="application/json")
        rows = await catalogue.rows(connection, site_code, year=year, category=category, customer=caller.customer_only)
    header = [title for title, _ in CATALOGUE_COLUMNS]
    cells = [[_cell(row[key]) for _, key in CATALOGUE_COLUMNS] for row in rows]
    name = f"{site_code}-catalogue{f'-{year}' if year else ''}.{format.value}"
    return Response(
        content=write_sheet(header, cells, format, title="catalogue"),
        media_type=format.media_type,
        headers=file_named(name),
    )


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


Version = Annotated[int | None, Query(ge=1, description="A version; default: the latest.")]


@router.get("/documents/{code}")
async def get_document(code: str, database: Database, caller: Caller, version: Version = None) -> dict[str, Any]:
    """The latest version of a document (or the one asked for), content included. A customer reads the
    documents of their categories only (any other is answered as one that does not exist), and a
    complaint record as their copy: its content without the internal handling (`customer_copy`: true;
    `sha256` stays the filed document's)."""
    found = await _document(database, caller, code, version)
    copy = _customers_copy(found, caller)
    if copy is None:
        return found
    return {**found, "content": canonical_json(copy).decode(), "customer_copy": True}


@router.get("/documents/{code}/content")
async def get_document_content(code: str, database: Database, caller: Caller, version: Version = None) -> Response:
    """The exact bytes that were filed; their SHA-256 is in the `ETag` (hex) and `Repr-Digest` headers.
    A customer gets a complaint record's customer copy instead (canonical JSON, with its own digest)."""
    found = await _document(database, caller, code, version)
    copy = _customers_copy(found, caller)
    if copy is not None:
        body = canonical_json(copy)
        return _exact(body, "application/json", hashlib.sha256(body).hexdigest())
    return _exact(found["content"].encode(), found["media_type"], found["sha256"])


ReadingLanguage = Annotated[
    Language | None,
    Query(
        description="zh or en: a reading copy in that language alone, typeset now from what was filed (neither "
        "filed nor chained; its foot names the filed original's SHA-256). Default: the filed PDF."
    ),
]


@router.get("/documents/{code}/pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def get_document_pdf(
    code: str,
    database: Database,
    caller: Caller,
    renderer: PdfRenderer,
    settings: Settings,
    version: Version = None,
    lang: ReadingLanguage = None,
) -> Response:
    """The document's PDF rendition (typeset now if the typesetter has not come to it yet); its SHA-256
    is in the `ETag` (hex) and `Repr-Digest` headers. A customer gets a complaint record's customer
    copy, typeset now in a form without the internal handling (the filed rendition stays the staff's).
    With `lang`, a reading copy of that PDF in the reader's language alone (`Content-Language`)."""
    found = await _document(database, caller, code, version, with_pdf=True)
    copy = _customers_copy(found, caller)
    form = customer_copy.customer_form(found["category"]) if copy is not None else None
    if copy is not None and form is not None:
        made = await typesetting.typeset_copy(database, renderer, code, found["version"], form=form, content=copy)
    elif found["pdf"] is not None:
        made = (found["pdf"], found["pdf_sha256"])
    else:
        made = await typesetting.typeset_now(database, renderer, code, found["version"])
    if made is None:
        raise Problem(404, "no_rendition", f"{code} was filed before documents had PDFs; its JSON is at /content")
    if lang is None:
        return _exact(made[0], "application/pdf", made[1], filename=f"{code}.pdf")
    read = await reading.reading_copy(
        database, renderer, found, language=lang, original_sha256=made[1],
        default_timezone=settings.default_timezone, content=copy, form=form,
    )  # fmt: skip
    if read is None:
        raise Problem(404, "no_rendition", f"{code} was filed before documents had PDFs; its JSON is at /content")
    pdf, sha256 = read
    response = _exact(pdf, "application/pdf", sha256, filename=f"{code}.{lang}.pdf")
    response.headers["Content-Language"] = lang
    return response


async def _document(
    database: Database, caller: Identity, code: str, version: int | None, *, with_pdf: bool = False
) -> dict[str, Any]:
    """The document asked for; for a customer, one of their categories only: any other is answered as
    a document that does not exist, so that its existence is not told either."""
    async with database.connect() as connection:
        found = await repository.latest(
            connection, code, version=version, with_pdf=with_pdf, customer=caller.customer_only
        )
    if found is None:
        raise Problem(404, "unknown_document", f"no document {code!r}{_of(version)} in the archive")
    return found


def _customers_copy(found: dict[str, Any], caller: Identity) -> dict[str, Any] | None:
    """The content of the customer's copy of the document, if the caller is a customer who reads this
    document as a copy; None if they read it as filed."""
    if not (caller.customer_only and customer_copy.is_copied(found["category"])):
        return None
    return customer_copy.customer_copy(found["category"], json.loads(found["content"]))


def _exact(body: bytes, media_type: str, sha256: str, filename: str | None = None) -> Response:
    """Bytes as filed, with their digest: the ETag a cache revalidates with, Repr-Digest for a check."""
    headers = {"ETag": f'"{sha256}"', "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:"}
    if filename is not None:
        headers.update(file_named(filename, inline=True))
    return Response(content=body, media_type=media_type, headers=headers)


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), UTC) if day else None


def _of(version: int | None) -> str:
    return f" version {version}" if version is not None else ""
