"""Filing a drafted document: code it, store it, announce it."""

from __future__ import annotations

from datetime import datetime

from services.archive.db import repository
from services.archive.domain.documents import Draft, document_code
from shared.contracts import DocumentArchived
from shared.messaging.unit_of_work import UnitOfWork


async def file_document(uow: UnitOfWork, draft: Draft, *, now: datetime) -> str | None:
    """File the first version of a document; None if this ticket's document from that source exists."""
    connection = uow.connection
    if draft.ticket_id is not None and await repository.already_filed(connection, draft.ticket_id, draft.source):
        return None
    sequence = await repository.next_sequence(connection, draft.site_code, draft.year, draft.category)
    code = document_code(draft.site_code, draft.year, draft.category, sequence)
    await repository.file(connection, draft, code=code, version=1, at=now)
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
