"""Archive's reads and writes, in its own schema only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import document_index, documents, renditions
from services.archive.db.text_search import customer_text_has, text_has
from services.archive.domain.chain import StoredLink
from services.archive.domain.customer_copy import CUSTOMER_CATEGORIES
from services.archive.domain.documents import Category, Draft
from services.archive.domain.search import searchable_text, serial_numbers
from shared.persistence import like
from shared.persistence.database import dicts_of


@dataclass(frozen=True)
class Link:
    """Where a new document version goes in its site's chain."""

    position: int
    previous_hash: str
    chain_hash: str
    pdf_sha256: str | None  # None: typeset after filing, outside the chain
    supersedes: int | None = None


# The PDF's SHA-256 is the document's own (typeset as filed) or its rendition's, once typeset.
WITH_RENDITION = documents.outerjoin(
    renditions, (renditions.c.code == documents.c.code) & (renditions.c.version == documents.c.version)
)
LISTED_COLUMNS = [
    *(c for c in documents.c if c.name not in ("content", "pdf", "pdf_sha256")),
    func.coalesce(documents.c.pdf_sha256, renditions.c.pdf_sha256).label("pdf_sha256"),
]


async def already_filed(connection: AsyncConnection, draft: Draft) -> bool:
    """Whether the fact the draft records has its document: by ticket, or by site for the documents of
    no ticket (an inspection report)."""
    query = select(documents.c.code).where(documents.c.source == draft.source)
    if draft.ticket_id is not None:
        query = query.where(documents.c.ticket_id == draft.ticket_id)
    else:
        query = query.where(documents.c.site_code == draft.site_code, documents.c.ticket_id.is_(None))
    return await connection.scalar(query.limit(1)) is not None


async def file(
    connection: AsyncConnection,
    draft: Draft,
    *,
    code: str,
    version: int,
    pdf: bytes | None,
    link: Link,
    at: datetime,
) -> None:
    await connection.execute(
        documents.insert().values(
            code=code,
            version=version,
            category=draft.category.value,
            title=draft.title,
            site_code=draft.site_code,
            year=draft.year,
            ticket_id=draft.ticket_id,
            source=draft.source,
            media_type="application/json",
            content=draft.body.decode(),
            sha256=draft.sha256,
            pdf=pdf,
            pdf_sha256=link.pdf_sha256,
            archived_at=at,
            supersedes=link.supersedes,
            chain_position=link.position,
            previous_hash=link.previous_hash,
            chain_hash=link.chain_hash,
        )
    )


async def index(connection: AsyncConnection, draft: Draft, *, code: str, version: int, at: datetime) -> None:
    await connection.execute(
        document_index.insert().values(
            code=code,
            version=version,
            site_code=draft.site_code,
            archived_at=at,
            text=searchable_text(draft.title, draft.content),
            serial_numbers=serial_numbers(draft.content),
        )
    )


@dataclass(frozen=True)
class Search:
    """What documents are looked for by; every criterion given must hold."""

    ticket_id: str | None = None
    site_code: str | None = None
    category: Category | None = None
    year: int | None = None
    serial_number: str | None = None
    words: tuple[str, ...] = ()  # each must appear in the document's text, in any case
    archived_from: datetime | None = None
    archived_before: datetime | None = None
    customer: bool = False  # a customer's search: their categories only, and their copies' words only


async def find(connection: AsyncConnection, search: Search, *, limit: int) -> list[dict[str, Any]]:
    query = (
        select(*LISTED_COLUMNS)
        .select_from(WITH_RENDITION)
        .join(
            document_index,
            (document_index.c.code == documents.c.code) & (document_index.c.version == documents.c.version),
        )
        .order_by(documents.c.archived_at.desc(), documents.c.code, documents.c.version.desc())
        .limit(limit)
    )
    if search.ticket_id is not None:
        query = query.where(documents.c.ticket_id == search.ticket_id)
    if search.site_code is not None:
        query = query.where(documents.c.site_code == search.site_code)
    if search.category is not None:
        query = query.where(documents.c.category == search.category.value)
    if search.customer:
        query = query.where(customers())
    if search.year is not None:
        query = query.where(documents.c.year == search.year)
    if search.serial_number is not None:
        # No copy leaves out a serial number (the fields left out are people's words and names).
        query = query.where(document_index.c.serial_numbers.contains([search.serial_number.casefold()]))
    for word in search.words:
        pattern = like.containing(word)
        query = query.where(customer_text_has(pattern) if search.customer else text_has(pattern))
    if search.archived_from is not None:
        query = query.where(documents.c.archived_at >= search.archived_from)
    if search.archived_before is not None:
        query = query.where(documents.c.archived_at < search.archived_before)
    return dicts_of(await connection.execute(query))


def customers() -> ColumnElement[bool]:
    """The documents a customer may read: those of their categories."""
    return documents.c.category.in_(sorted(category.value for category in CUSTOMER_CATEGORIES))


async def latest(
    connection: AsyncConnection,
    code: str,
    *,
    version: int | None = None,
    with_pdf: bool = False,
    customer: bool = False,
) -> dict[str, Any] | None:
    """The document's latest version, or the one asked for; for a customer, None for a document of a
    category that is not theirs, as for one that does not exist."""
    columns = [*LISTED_COLUMNS, documents.c.content, *([documents.c.pdf] if with_pdf else [])]
    query = (
        select(*columns)
        .select_from(WITH_RENDITION)
        .where(documents.c.code == code)
        .order_by(documents.c.version.desc())
        .limit(1)
    )
    if version is not None:
        query = query.where(documents.c.version == version)
    if customer:
        query = query.where(customers())
    row = (await connection.execute(query)).first()
    return dict(row._mapping) if row else None


async def link_count(connection: AsyncConnection, site_code: str) -> int:
    return int(await connection.scalar(select(func.count()).where(documents.c.site_code == site_code)) or 0)


async def chained_sites(connection: AsyncConnection) -> list[str]:
    return list(await connection.scalars(select(documents.c.site_code).distinct().order_by(documents.c.site_code)))


async def links(connection: AsyncConnection, site_code: str) -> AsyncIterator[StoredLink]:
    """The site's chain in order, streamed from the server (a site's PDFs do not fit in memory at once)."""
    query = (
        select(
            documents.c.chain_position,
            documents.c.code,
            documents.c.version,
            documents.c.content,
            documents.c.sha256,
            documents.c.pdf,
            documents.c.pdf_sha256,
            documents.c.archived_at,
            documents.c.previous_hash,
            documents.c.chain_hash,
        )
        .where(documents.c.site_code == site_code)
        .order_by(documents.c.chain_position)
        .execution_options(yield_per=200)
    )
    async for row in await connection.stream(query):
        yield StoredLink(
            position=row.chain_position,
            code=row.code,
            version=row.version,
            content=row.content.encode(),
            sha256=row.sha256,
            pdf=row.pdf,
            pdf_sha256=row.pdf_sha256,
            archived_at=row.archived_at,
            previous_hash=row.previous_hash,
            chain_hash=row.chain_hash,
        )
