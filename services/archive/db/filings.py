"""Drafts waiting for their code and link (`pending_filings`), and their move into the archive's
documents, search index and renditions once the sequencer has placed them."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, Text, and_, bindparam, delete, exists, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import document_index, documents, pending_filings, renditions
from services.archive.domain.documents import Category, Draft
from services.archive.domain.search import searchable_text, serial_numbers
from services.archive.domain.sequencing import FIRST_VERSION, Placed, Waiting
from shared.persistence.database import PrecompiledStatement

_HOLD = PrecompiledStatement(
    insert(pending_filings)
    .values({column.name: bindparam(column.name) for column in pending_filings.c if column.name != "id"})
    .on_conflict_do_nothing()  # the fact waits already: a copy of its event, handled at the same time
)


async def hold(
    connection: AsyncConnection, draft: Draft, *, cause_id: uuid.UUID | None, correlation_id: str, at: datetime
) -> None:
    """Keep a draft until the sequencer gives it its code and link."""
    images = {name: base64.b64encode(image).decode() for name, image in draft.images.items()}
    await _HOLD.execute(
        connection,
        {
            "site_code": draft.site_code, "year": draft.year, "category": draft.category.value, "title": draft.title,
            "ticket_id": draft.ticket_id, "source": draft.source, "content": draft.body.decode(),
            "sha256": draft.sha256, "form": draft.form, "site_name": draft.site_name, "timezone": draft.timezone,
            "images": json.dumps(images),  # driver SQL: JSONB travels as text
            "text": searchable_text(draft.title, draft.content), "serial_numbers": serial_numbers(draft.content),
            "cause_id": cause_id, "correlation_id": correlation_id, "drafted_at": at,
        },
    )  # fmt: skip


async def sites_waiting(connection: AsyncConnection) -> list[str]:
    """The sites that have drafts waiting."""
    return list(await connection.scalars(select(pending_filings.c.site_code).distinct()))


@dataclass(frozen=True)
class Held:
    """A waiting draft as the sequencer reads it (its content stays in the database)."""

    waiting: Waiting
    title: str
    ticket_id: str | None
    cause_id: uuid.UUID | None
    correlation_id: str
    filed: bool  # its fact has its document already (a copy of its event was filed before): dropped


def _filed_already() -> object:
    p, d = pending_filings.c, documents.c
    of_ticket = exists().where(d.ticket_id == p.ticket_id, d.source == p.source, d.version == FIRST_VERSION)
    of_site = exists().where(
        d.site_code == p.site_code, d.source == p.source, d.ticket_id.is_(None), d.version == FIRST_VERSION
    )
    return or_(and_(p.ticket_id.is_not(None), of_ticket), and_(p.ticket_id.is_(None), of_site))


async def held(connection: AsyncConnection, site_code: str, limit: int) -> list[Held]:
    """The site's waiting drafts, oldest first; call under the site's chain lock."""
    p = pending_filings.c
    rows = await connection.execute(
        select(p.id, p.year, p.category, p.sha256, p.title, p.ticket_id, p.cause_id, p.correlation_id,
               _filed_already().label("filed"))  # type: ignore[attr-defined]
        .where(p.site_code == site_code)
        .order_by(p.id)
        .limit(limit)
    )  # fmt: skip
    return [
        Held(Waiting(row.id, row.year, Category(row.category), row.sha256), row.title, row.ticket_id, row.cause_id,
             row.correlation_id, row.filed)
        for row in rows
    ]  # fmt: skip


# One statement moves the placed drafts: out of the waiting list, into the documents with their codes and
# links, the search index, and the renditions the typesetter waits on. Their content never leaves the server.
_MOVE = text(f"""
WITH placed AS (
    SELECT * FROM unnest(CAST(:ids AS bigint[]), CAST(:codes AS text[]), CAST(:positions AS bigint[]),
                         CAST(:previous AS text[]), CAST(:hashes AS text[]))
        AS placed (id, code, position, previous_hash, chain_hash)
), moved AS (
    DELETE FROM {pending_filings.fullname} AS waiting USING placed WHERE waiting.id = placed.id
    RETURNING waiting.*, placed.code, placed.position, placed.previous_hash, placed.chain_hash
), filed AS (
    INSERT INTO {documents.fullname} (code, version, category, title, site_code, year, ticket_id, source,
        media_type, content, sha256, archived_at, chain_position, previous_hash, chain_hash)
    SELECT code, {FIRST_VERSION}, category, title, site_code, year, ticket_id, source, 'application/json', content,
        sha256, CAST(:at AS timestamptz), position, previous_hash, chain_hash
    FROM moved
), indexed AS (
    INSERT INTO {document_index.fullname} (code, version, site_code, archived_at, text, serial_numbers)
    SELECT code, {FIRST_VERSION}, site_code, CAST(:at AS timestamptz), text, serial_numbers FROM moved
)
INSERT INTO {renditions.fullname} (code, version, form, site_name, timezone, images, filed_at)
SELECT code, {FIRST_VERSION}, form, site_name, timezone, images, CAST(:at AS timestamptz) FROM moved
""").bindparams(
    bindparam("ids", type_=ARRAY(BigInteger)),
    bindparam("codes", type_=ARRAY(Text)),
    bindparam("positions", type_=ARRAY(BigInteger)),
    bindparam("previous", type_=ARRAY(Text)),
    bindparam("hashes", type_=ARRAY(Text)),
)


async def move(connection: AsyncConnection, placed: Sequence[Placed], *, at: datetime) -> None:
    """File the placed drafts as documents, indexed and waiting for the typesetter, all `at`."""
    if not placed:
        return
    await connection.execute(
        _MOVE,
        {
            "ids": [p.id for p in placed],
            "codes": [p.code for p in placed],
            "positions": [p.position for p in placed],
            "previous": [p.previous_hash for p in placed],
            "hashes": [p.chain_hash for p in placed],
            "at": at,
        },
    )


async def drop(connection: AsyncConnection, ids: Sequence[int]) -> None:
    """Forget drafts whose facts have their documents already."""
    if ids:
        await connection.execute(delete(pending_filings).where(pending_filings.c.id.in_(ids)))
