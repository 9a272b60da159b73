"""Typesetting after filing: the PDFs of documents filed from events are typeset here, off the path of
the event that filed them (nobody waits for a PDF while a ticket is assigned), by every archive process
in turn (SKIP LOCKED) when it is not filing a burst, or at once when someone asks for a PDF not typeset
yet. The PDF is the same, byte for byte, as if it had been typeset when filed: the sheet is filled with
what the document was filed with, and typst is deterministic."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive import sequencing
from services.archive.db import renditions
from services.archive.domain.documents import canonical_json
from services.archive.rendering import Renderer, Sheet, renderer_for
from services.archive.settings import ArchiveSettings
from shared.background import PollingLoop
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings


class Typesetter(PollingLoop):
    task_name = "typesetter"

    def __init__(self, database: ServiceDatabase, renderer: Renderer, settings: ArchiveSettings) -> None:
        super().__init__(settings.typeset_tick_seconds)
        self.database = database
        self.renderer = renderer
        self.batch = settings.typeset_batch
        self.yield_above = settings.typeset_yield_drafts_per_second

    async def poll(self, now: datetime) -> None:
        # A burst of filings has the CPU first: its PDFs, which nobody waits for, are typeset after it.
        while not sequencing.drafting_faster_than(self.yield_above):
            if await typeset_waiting(self.database, self.renderer, self.batch) < self.batch or self.stopping.is_set():
                return


async def typeset_waiting(database: ServiceDatabase, renderer: Renderer, limit: int) -> int:
    """Typeset up to `limit` renditions waiting; returns how many."""
    async with database.engine.begin() as connection:
        waiting = await renditions.claim_waiting(connection, limit)
        for row in waiting:
            await _typeset(connection, renderer, row)
    return len(waiting)


async def typeset_now(
    database: ServiceDatabase, renderer: Renderer, code: str, version: int
) -> tuple[bytes, str] | None:
    """The document's rendition, typeset now if it was not yet; None if it has no rendition to make."""
    async with database.engine.begin() as connection:
        row = await renditions.claim(connection, code, version)
        if row is None:
            return None
        if row.pdf is not None:
            return bytes(row.pdf), str(row.pdf_sha256)
        return await _typeset(connection, renderer, row)


async def typeset_copy(
    database: ServiceDatabase, renderer: Renderer, code: str, version: int, *, form: str, content: dict[str, Any]
) -> tuple[bytes, str] | None:
    """A copy of a document (the customer's, domain/customer_copy.py), typeset on request and kept
    nowhere: the filed document and its own rendition stay as they are, in and beside the chain. The
    document's sheet (its site, its code and version, when it was filed) is filled with the copy's
    content in the copy's form, and shows the copy's SHA-256 (that of its canonical JSON); a copy shows
    no pictures. None if the document has no sheet (filed before documents had PDFs)."""
    async with database.connect() as connection:
        row = await renditions.sheet_of(connection, code, version)
    if row is None:
        return None
    sheet = Sheet(
        form=form, code=row.code, version=row.version, site_code=row.site_code, site_name=row.site_name,
        timezone=row.timezone, archived_at=row.archived_at, sha256=hashlib.sha256(canonical_json(content)).hexdigest(),
        content=content,
    )  # fmt: skip
    pdf = await renderer.pdf(sheet)
    return pdf, hashlib.sha256(pdf).hexdigest()


async def _typeset(connection: AsyncConnection, renderer: Renderer, row: Row[Any]) -> tuple[bytes, str]:
    sheet = Sheet(
        form=row.form, code=row.code, version=row.version, site_code=row.site_code, site_name=row.site_name,
        timezone=row.timezone, archived_at=row.archived_at, sha256=row.sha256, content=json.loads(row.content),
        images={name: base64.b64decode(image) for name, image in (row.images or {}).items()},
    )  # fmt: skip
    pdf = await renderer.pdf(sheet)
    sha256 = hashlib.sha256(pdf).hexdigest()
    await renditions.typeset(connection, row.code, row.version, pdf, sha256, datetime.now(UTC))
    return pdf, sha256


def typesetter(database: ServiceDatabase, settings: ServiceSettings) -> Typesetter:
    archive = cast(ArchiveSettings, settings)
    return Typesetter(database, renderer_for(tuple(archive.font_paths)), archive)
