"""Filing documents. A document drafted from an event waits for the sequencer (sequencing.py), which
numbers, chains and announces many at once; a register, filed at a person's request and typeset as it is
filed (it is signed as a PDF), is numbered, chained and announced in its own transaction."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive import sequencing, timeline
from services.archive.db import filings, numbering, repository
from services.archive.db import photos as photo_rows
from services.archive.db import timeline as timeline_rows
from services.archive.domain.chain import GENESIS, link_hash
from services.archive.domain.documents import Draft, document_code
from services.archive.domain.records import drafts_of, makes_documents, needs_the_opening
from services.archive.domain.story import Site, Story, as_event
from services.archive.rendering import Renderer, Sheet
from shared.contracts import DocumentArchived, Event, SiteDescribed, TicketOpened, TicketResolved
from shared.messaging.failures import NotYet
from shared.messaging.unit_of_work import UnitOfWork


async def file_document(uow: UnitOfWork, draft: Draft, renderer: Renderer, *, now: datetime) -> str | None:
    """File the first version of a document now, typeset, with the next number of its site, year and
    category; None if the fact it records (its source, for its ticket or else its site) has its document
    already. Holds the site's chain lock to the commit: for a register, not for documents of events."""
    connection = uow.connection
    await numbering.hold_chain(connection, draft.site_code)
    if await repository.already_filed(connection, draft):
        return None
    sequence = await numbering.next_sequence(connection, draft.site_code, draft.year, draft.category)
    code = document_code(draft.site_code, draft.year, draft.category, sequence)
    await file_version(uow, draft, renderer, code=code, version=1, now=now)
    return code


async def file_version(
    uow: UnitOfWork,
    draft: Draft,
    renderer: Renderer,
    *,
    code: str,
    version: int,
    now: datetime,
    supersedes: int | None = None,
) -> None:
    """File one version of a document under its code, typeset now so that its PDF is in the chain (a
    register is signed as a PDF): stored, chained, indexed, announced and kept in the timeline. A later
    version names the one it supersedes; the earlier stays as it was."""
    connection = uow.connection
    sheet = Sheet(
        form=draft.form,
        code=code,
        version=version,
        site_code=draft.site_code,
        site_name=draft.site_name,
        timezone=draft.timezone,
        archived_at=now,
        sha256=draft.sha256,
        content=draft.content,
        images=draft.images,
    )
    pdf = await renderer.pdf(sheet)
    link = await _next_link(connection, draft, code, version, pdf, now)
    await repository.file(
        connection, draft, code=code, version=version, pdf=pdf, link=replace(link, supersedes=supersedes), at=now
    )
    await repository.index(connection, draft, code=code, version=version, at=now)
    announced = uow.publish(
        DocumentArchived(
            document_code=code,
            version=version,
            category=draft.category.value,
            title=draft.title,
            site_code=draft.site_code,
            ticket_id=draft.ticket_id,
            sha256=draft.sha256,
            archived_at=now,
        ),
        # Filed at a person's request (a register drawn up or signed), it starts a story of its own.
        correlation_id=None if uow.cause else draft.ticket_id or code,
    )
    await timeline.keep_own(connection, [announced])


async def _next_link(
    connection: AsyncConnection, draft: Draft, code: str, version: int, pdf: bytes, now: datetime
) -> repository.Link:
    """The document's link at the end of its site's chain, under the site's chain lock held to the commit."""
    await numbering.hold_chain(connection, draft.site_code)
    last = await numbering.last_link(connection, draft.site_code)
    position, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    chain_hash = link_hash(
        previous, code=code, version=version, sha256=draft.sha256, pdf_sha256=pdf_sha256, archived_at=now
    )
    return repository.Link(position=position, previous_hash=previous, chain_hash=chain_hash, pdf_sha256=pdf_sha256)


class StoryIncomplete(NotYet):
    """A document needs an earlier event of its ticket that the archive has not kept yet (events of one
    ticket come from several services and may overtake each other): the message is tried again later."""


async def file_what_it_records(
    uow: UnitOfWork, event: Event, *, default_timezone: str, ordered_by_its_line: bool = False
) -> None:
    """Draft the documents an event makes, from what the archive holds of its ticket and site, and leave
    them to the sequencer: no lock is taken here, so filings of one site do not wait for each other and
    a transaction holding many messages holds nothing another needs.

    An event that needs its ticket's opening and overtook it waits to be tried again, unless it is
    `ordered_by_its_line`: its handler holds the ticket's line in the ticket list (ticket_lines.py), as
    the opening's handler will, one after the other; then the opening's handler, which sees it, drafts
    its documents, and nobody waits for a retry."""
    if not makes_documents(event):
        return
    connection = uow.connection
    ticket_id = getattr(event, "ticket_id", None)
    kept = await timeline_rows.messages_of_ticket(connection, ticket_id) if ticket_id else []
    story = Story.of(as_event(message_type, version, payload) for message_type, version, payload, _ in kept)
    if story.opened is None and needs_the_opening(event):
        if ordered_by_its_line:
            return
        raise StoryIncomplete(f"{ticket_id}: its ticket.opened is not in the archive's timeline yet")
    site_code = getattr(event, "site_code", None) or (story.opened.site_code if story.opened else None)
    if site_code is None:
        return
    cause = uow.cause
    recorded = [(event, cause.message_id if cause else None)]
    if isinstance(event, TicketOpened):  # and the events that came first and waited for it
        recorded += _waiting_for_the_opening(kept)
    described = await timeline_rows.latest_of_site(connection, site_code, SiteDescribed.message_type)
    description = as_event(*described) if described else None
    site = Site.known(
        site_code, story, description if isinstance(description, SiteDescribed) else None, default_timezone
    )
    now = datetime.now(UTC)
    for fact, cause_id in recorded:
        photos = await photo_rows.of_ticket(connection, fact.ticket_id) if isinstance(fact, TicketResolved) else []
        for draft in drafts_of(fact, story, site, photos):
            correlation_id = cause.correlation_id if cause else draft.ticket_id or site_code
            await filings.hold(connection, draft, cause_id=cause_id, correlation_id=correlation_id, at=now)
            sequencing.drafted()


def _waiting_for_the_opening(kept: list[tuple[str, int, dict[str, Any], uuid.UUID]]) -> list[tuple[Event, uuid.UUID]]:
    """The ticket's events kept before its opening whose documents tell it as reported. A fact already
    drafted (by an event tried again) is drafted once all the same: a waiting draft or a document of it
    stops another."""
    found = (
        (as_event(message_type, version, payload), message_id) for message_type, version, payload, message_id in kept
    )
    return [
        (event, message_id)
        for event, message_id in found
        if event is not None
        and not isinstance(event, TicketOpened)
        and makes_documents(event)
        and needs_the_opening(event)
    ]
