"""Filing a drafted document: code it, typeset its PDF, store both, announce it."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import repository
from services.archive.domain.chain import GENESIS, link_hash
from services.archive.domain.documents import Draft, document_code
from services.archive.rendering import Renderer, Sheet
from shared.contracts import DocumentArchived
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.locks import lock_for_transaction


async def file_document(uow: UnitOfWork, draft: Draft, renderer: Renderer, *, now: datetime) -> str | None:
    """File the first version of a document with its PDF rendition; None if this ticket's document from
    that source exists."""
    connection = uow.connection
    if draft.ticket_id is not None and await repository.already_filed(connection, draft.ticket_id, draft.source):
        return None
    sequence = await repository.next_sequence(connection, draft.site_code, draft.year, draft.category)
    code = document_code(draft.site_code, draft.year, draft.category, sequence)
    pdf = await renderer.pdf(
        Sheet(
            form=draft.form,
            code=code,
            version=1,
            site_code=draft.site_code,
            site_name=draft.site_name,
            timezone=draft.timezone,
            archived_at=now,
            sha256=draft.sha256,
            content=draft.content,
        )
    )
    await repository.file(
        connection,
        draft,
        code=code,
        version=1,
        pdf=pdf,
        link=await _next_link(connection, draft, code, 1, pdf, now),
        at=now,
    )
    uow.publish(
        DocumentArchived(
            document_code=code,
            version=1,
            category=draft.category.value,
            title=draft.title,
            site_code=draft.site_code,
            ticket_id=draft.ticket_id,
            sha256=draft.sha256,
            archived_at=now,
        )
    )
    return code


async def _next_link(
    connection: AsyncConnection, draft: Draft, code: str, version: int, pdf: bytes, now: datetime
) -> repository.Link:
    """The document's link at the end of its site's chain. The site's chain lock is held to the commit,
    so the links of one site are appended one at a time, whatever the number of archive processes."""
    await lock_for_transaction(connection, f"archive-chain:{draft.site_code}")
    last = await repository.last_link(connection, draft.site_code)
    position, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    chain_hash = link_hash(
        previous, code=code, version=version, sha256=draft.sha256, pdf_sha256=pdf_sha256, archived_at=now
    )
    return repository.Link(position=position, previous_hash=previous, chain_hash=chain_hash, pdf_sha256=pdf_sha256)
