"""The archive's `ticket.opened` handler over FastStream's in-memory broker and the real database: the
document it files (its PDF typeset after filing, once), the valid `document.archived` it leaves in its
outbox and keeps in its timeline (an old echo of it adds nothing), and its numbering."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

import services
from services.archive.db.tables import documents, inbox, metadata, renditions, timeline
from services.archive.rendering import renderer_for
from services.archive.settings import ArchiveSettings
from services.archive.tests.filed import deliver_and_file
from services.archive.typesetting import typeset_now, typeset_waiting
from shared.contracts import DocumentArchived, TicketAssigned, seal
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from testkit.database import fetch_all, produced
from testkit.documents import pdf_text
from testkit.samples import from_dispatch, opened_envelope
from testkit.world import World

REPORTED_AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: records are filed under 2026


async def _documents(world: World, ticket_id: str) -> list[Any]:
    return await fetch_all(world, select(documents).where(documents.c.ticket_id == ticket_id))


async def _typeset(world: World, code: str) -> tuple[bytes, str]:
    engine = create_engine(world.database_url, pool_size=1)
    try:
        database = ServiceDatabase(engine, metadata, producer="archive")
        made = await typeset_now(database, renderer_for(tuple(ArchiveSettings().font_paths)), code, 1)
    finally:
        await engine.dispose()
    assert made is not None
    return made


def _sequence(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


async def test_an_opened_ticket_files_one_record_and_announces_it_with_its_checksum(seeded: World) -> None:
    envelope = opened_envelope(site_code="HH138", reported_at=REPORTED_AT)
    ticket_id = envelope.payload.ticket_id

    await deliver_and_file(seeded, envelope)

    [document] = await _documents(seeded, ticket_id)
    assert document.code.startswith("HH138-2026-REC-")
    assert (document.version, document.category, document.year, document.source) == (1, "REC", 2026, "ticket.opened")
    assert hashlib.sha256(document.content.encode()).hexdigest() == document.sha256
    assert json.loads(document.content)["ticket_id"] == ticket_id
    assert (document.pdf, document.pdf_sha256) == (None, None)  # typeset after filing, off the event's path
    pdf, sha256 = await _typeset(seeded, document.code)
    assert hashlib.sha256(pdf).hexdigest() == sha256
    rendition = pdf_text(pdf)
    assert ("服务请求记录单" in rendition, ticket_id in rendition, document.code in rendition) == (True, True, True)
    [kept] = await fetch_all(seeded, select(renditions).where(renditions.c.code == document.code))
    assert (kept.pdf, kept.pdf_sha256, kept.images) == (pdf, sha256, None)
    assert await _typeset(seeded, document.code) == (pdf, sha256)  # typeset once, then read back

    events = await produced(seeded, "archive", "document.archived", correlation_id=ticket_id)
    assert len(events) == 1
    event = events[0]
    archived = DocumentArchived.model_validate(event.payload)
    assert (archived.document_code, archived.version, archived.sha256) == (document.code, 1, document.sha256)
    assert (archived.category, archived.site_code, archived.ticket_id) == ("REC", "HH138", ticket_id)
    assert event.causation_id == envelope.message_id
    assert event.correlation_id == ticket_id
    assert (event.producer, event.type) == ("archive", "document.archived")


async def test_the_same_ticket_opened_again_files_nothing_new(seeded: World) -> None:
    """A new message id passes the inbox; the archive's own check must stop a second record (and code)."""
    first = opened_envelope(site_code="HH138", reported_at=REPORTED_AT)
    second = seal(first.payload, producer="intake", correlation_id=first.correlation_id)
    ticket_id = first.payload.ticket_id

    await deliver_and_file(seeded, first, second, first)

    consumed = await fetch_all(
        seeded, select(inbox.c.message_id).where(inbox.c.message_id.in_([first.message_id, second.message_id]))
    )
    assert len(consumed) == 2, "both messages must have reached the handler for this test to mean anything"
    assert len(await _documents(seeded, ticket_id)) == 1
    events = await produced(seeded, "archive", "document.archived", correlation_id=ticket_id)
    assert [e.causation_id for e in events] == [first.message_id]


async def test_the_archive_keeps_its_announcement_as_it_files_and_an_old_echo_adds_nothing(seeded: World) -> None:
    """The `document.archived` is in the ticket's timeline from the filing's own transaction; the archive's
    queue is no longer bound to it, but an echo still queued from an earlier release (the same message, or
    one of a document that release filed) is kept once."""
    envelope = opened_envelope(site_code="HH138", reported_at=REPORTED_AT)
    ticket_id = envelope.payload.ticket_id
    await deliver_and_file(seeded, envelope)
    [announced] = await produced(seeded, "archive", "document.archived", correlation_id=ticket_id)
    assert await _kept_announcements(seeded, ticket_id) == [announced.message_id]

    earlier = seal(
        DocumentArchived.model_validate({**announced.payload, "category": "DSP", "document_code": "HH138-2026-DSP-9"}),
        producer="archive",
        correlation_id=ticket_id,
    )
    await deliver_and_file(seeded, announced, earlier, announced)
    assert sorted(await _kept_announcements(seeded, ticket_id)) == sorted([announced.message_id, earlier.message_id])

    queue = next(s for s in services.definition("archive").subscriptions if s.queue == "archive.inbox")
    bound = queue.consumer_queue(queue.handlers_for(ArchiveSettings()))
    assert "document.archived" not in bound.routing_keys
    assert ("ticket.opened" in bound.routing_keys, bound.retired_keys) == (True, ("document.archived",))


async def _kept_announcements(world: World, ticket_id: str) -> list[uuid.UUID]:
    rows = await fetch_all(
        world,
        select(timeline.c.message_id).where(timeline.c.ticket_id == ticket_id, timeline.c.type == "document.archived"),
    )
    return [row.message_id for row in rows]


async def test_an_assignment_heard_before_its_opening_is_filed_with_it_at_once(seeded: World) -> None:
    """Events of one ticket come from several services and may overtake each other. An assignment kept
    before its ticket's opening waits for no retry (it waited two seconds, the retry delay, and its
    dispatch order with it): the opening's handler, which takes the ticket's line after it, drafts the
    dispatch order too, caused by the assignment."""
    opened = opened_envelope(site_code="HH138", reported_at=REPORTED_AT)
    ticket_id = opened.payload.ticket_id
    assigned = from_dispatch(
        TicketAssigned(
            ticket_id=ticket_id, site_code="HH138", subsystem="bgm", engineer_id="E01", engineer_name="王工",
            rule="subsystem_owner", assigned_at=REPORTED_AT,
        )
    )  # fmt: skip

    await deliver_and_file(seeded, assigned, opened)

    filed = {row.category: row for row in await _documents(seeded, ticket_id)}
    assert set(filed) == {"REC", "DSP"}
    assert "王工" in filed["DSP"].content
    events = await produced(seeded, "archive", "document.archived", correlation_id=ticket_id)
    caused = {DocumentArchived.model_validate(e.payload).category: e.causation_id for e in events}
    assert caused == {"REC": opened.message_id, "DSP": assigned.message_id}


async def test_two_tickets_get_consecutive_codes(seeded: World) -> None:
    """Codes are numbered per site, year and category without gaps when nothing fails in between."""
    one, two = (
        opened_envelope(site_code="HH138", reported_at=REPORTED_AT),
        opened_envelope(site_code="HH138", reported_at=REPORTED_AT),
    )

    await deliver_and_file(seeded, one, two)

    [first] = await _documents(seeded, one.payload.ticket_id)
    [second] = await _documents(seeded, two.payload.ticket_id)
    assert first.code.rsplit("-", 1)[0] == second.code.rsplit("-", 1)[0] == "HH138-2026-REC"
    assert _sequence(second.code) == _sequence(first.code) + 1


async def test_the_typesetter_typesets_what_waits_each_once(seeded: World) -> None:
    envelope = opened_envelope(site_code="HH138", reported_at=REPORTED_AT)
    await deliver_and_file(seeded, envelope)
    [document] = await _documents(seeded, envelope.payload.ticket_id)
    engine = create_engine(seeded.database_url, pool_size=2)
    try:
        database = ServiceDatabase(engine, metadata, producer="archive")
        renderer = renderer_for(tuple(ArchiveSettings().font_paths))
        while await typeset_waiting(database, renderer, limit=50):
            pass
        assert await typeset_waiting(database, renderer, limit=50) == 0  # nothing is typeset twice
    finally:
        await engine.dispose()
    [kept] = await fetch_all(seeded, select(renditions).where(renditions.c.code == document.code))
    assert kept.pdf is not None
    assert hashlib.sha256(kept.pdf).hexdigest() == kept.pdf_sha256
    assert document.code in pdf_text(kept.pdf)
