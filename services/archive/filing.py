"""Filing a drafted document: code it, typeset its PDF, store both, announce it."""

from __future__ import annotations

from datetime import datetime

from services.archive.db import repository
from services.archive.domain.documents import Draft, document_code
from services.archive.rendering import Renderer, Sheet
from shared.contracts import DocumentArchived
from shared.messaging.unit_of_work import UnitOfWork


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
    await repository.file(connection, draft, code=code, version=1, pdf=pdf, at=now)
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
