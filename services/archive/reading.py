"""Reading copies of documents (domain/reading.py), typeset on request in the reader's language alone.

A copy is filled with the document's content as filed (or the customer's copy of it), the site's names
and the words of the reader's language, and the pictures the filed PDF shows (the customer's signature
from the content, photos from the archive's own photos, a register's signatures from its signing), and
names the SHA-256 of the PDF its reader's filed original is. It is kept nowhere: with the compiler's
fonts loaded a form typesets in 5 to 13 ms (measured; README, Documents), less than the database reads
around it, and typst itself memoises a sheet typeset twice."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import registers, timeline
from services.archive.db.tables import photos, renditions
from services.archive.domain.documents import canonical_json
from services.archive.domain.reading import photo_hashes, reading_words, signature_of, signed_version, site_name
from services.archive.domain.story import as_event
from services.archive.rendering import Reading, Renderer, Sheet
from shared.contracts import SiteDescribed
from shared.persistence.service_database import ServiceDatabase


async def reading_copy(
    database: ServiceDatabase,
    renderer: Renderer,
    found: dict[str, Any],
    *,
    language: str,
    original_sha256: str,
    default_timezone: str,
    content: dict[str, Any] | None = None,
    form: str | None = None,
) -> tuple[bytes, str] | None:
    """The reading copy of a filed document (`found`, content included), or of the customer's copy of it
    (`content` and `form`): its PDF and that PDF's SHA-256; None for a document with no form (filed
    before documents had PDFs)."""
    filed = json.loads(found["content"])
    shown = filed if content is None else content
    async with database.connect() as connection:
        frame = (
            await connection.execute(
                select(renditions.c.form, renditions.c.site_name, renditions.c.timezone).where(
                    renditions.c.code == found["code"], renditions.c.version == found["version"]
                )
            )
        ).first()
        kept = await timeline.latest_of_site(connection, found["site_code"], SiteDescribed.message_type)
        images = await _pictures(connection, found, shown)
    described = as_event(*kept) if kept else None
    site = described if isinstance(described, SiteDescribed) else None
    form = form or shown.get("form") or (frame.form if frame else None)
    if form is None:
        return None
    sheet = Sheet(
        form=form,
        code=found["code"],
        version=found["version"],
        site_code=found["site_code"],
        site_name=site_name(language, site, frame.site_name if frame else None, found["site_code"]),
        timezone=frame.timezone if frame else site.timezone if site else default_timezone,
        archived_at=found["archived_at"],
        sha256=found["sha256"] if content is None else hashlib.sha256(canonical_json(content)).hexdigest(),
        content=shown,
        images=images,
        reading=Reading(language, reading_words(language, site, shown.get("words") or {}), original_sha256),
    )
    pdf = await renderer.pdf(sheet)
    return pdf, hashlib.sha256(pdf).hexdigest()


async def _pictures(connection: AsyncConnection, found: dict[str, Any], content: dict[str, Any]) -> dict[str, bytes]:
    """The pictures the filed PDF shows, by the names its form gives them, where the archive still has them."""
    images: dict[str, bytes] = {}
    signature = signature_of(content)
    if signature:
        images["signature"] = base64.b64decode(signature)
    hashes = photo_hashes(content)
    if hashes and found["ticket_id"]:
        rows = await connection.execute(
            select(photos.c.sha256, photos.c.content).where(
                photos.c.ticket_id == found["ticket_id"], photos.c.sha256.in_(hashes)
            )
        )
        kept = {row.sha256: bytes(row.content) for row in rows}
        images.update({f"photo_{n}": kept[sha] for n, sha in enumerate(hashes, start=1) if sha in kept})
    signed = signed_version(content)
    if signed is not None:
        for s in await registers.signatures(connection, found["code"], signed):
            if s.signature_png:
                images[f"signature_{s.party.value}"] = base64.b64decode(s.signature_png)
    return images
