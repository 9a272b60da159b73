"""The archive's `ticket.opened` handler over FastStream's in-memory broker and the real database: the
document it files, the valid `document.archived` it leaves in its outbox, and its numbering."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from faststream.rabbit import TestRabbitBroker
from sqlalchemy import Select, select

import services
from services.archive.db.tables import documents, inbox, outbox
from shared.contracts import (
    DocumentArchived,
    Envelope,
    Priority,
    RawEnvelope,
    Reporter,
    RequestChannel,
    ServiceKind,
    TicketOpened,
    seal,
)
from shared.persistence.database import create_engine
from shared.runtime import ServiceRuntime
from shared.testing import World

QUEUE = "archive.inbox"


def _opened() -> Envelope[TicketOpened]:
    """A `ticket.opened` from intake, reported in 2026 local time, for a ticket no other test uses."""
    ticket_id = f"HH138-20261125-{uuid.uuid4().hex[:6]}"
    opened = TicketOpened(
        ticket_id=ticket_id,
        site_code="HH138",
        site_name="Infinity Mall, 138 Huaihai Middle Road",
        site_timezone="Asia/Shanghai",
        subsystem="signage",
        kind=ServiceKind.FAULT,
        priority=Priority.NORMAL,
        channel=RequestChannel.EMAIL,
        description="Lift lobby screens on L3 are frozen",
        reporter=Reporter(name="Mr. Li", email="li@example.com"),
        reported_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        received_at=datetime(2026, 11, 25, 2, 1, tzinfo=UTC),
    )
    return seal(opened, producer="intake", correlation_id=ticket_id)


async def _deliver(world: World, *envelopes: Envelope[Any]) -> None:
    """Hand each envelope, in turn, to the archive's consumer of `archive.inbox`."""
    runtime = ServiceRuntime(services.definition("archive"), world.settings("archive"))
    try:
        async with TestRabbitBroker(runtime.broker) as broker:
            for envelope in envelopes:
                await broker.publish(envelope.model_dump_json().encode(), queue=QUEUE)
    finally:
        await runtime.engine.dispose()


async def _rows(world: World, statement: Select[Any]) -> list[Any]:
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(statement)).all())
    finally:
        await engine.dispose()


async def _produced(world: World, ticket_id: str) -> list[RawEnvelope]:
    rows = await _rows(
        world,
        select(outbox.c.body).where(outbox.c.correlation_id == ticket_id, outbox.c.message_type == "document.archived"),
    )
    return [RawEnvelope.model_validate_json(body) for (body,) in rows]


async def _documents(world: World, ticket_id: str) -> list[Any]:
    return await _rows(world, select(documents).where(documents.c.ticket_id == ticket_id))


def _sequence(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


async def test_an_opened_ticket_files_one_record_and_announces_it_with_its_checksum(seeded: World) -> None:
    envelope = _opened()
    ticket_id = envelope.payload.ticket_id

    await _deliver(seeded, envelope)

    [document] = await _documents(seeded, ticket_id)
    assert document.code.startswith("HH138-2026-REC-")
    assert (document.version, document.category, document.year, document.source) == (1, "REC", 2026, "ticket.opened")
    assert hashlib.sha256(document.content.encode()).hexdigest() == document.sha256
    assert json.loads(document.content)["ticket_id"] == ticket_id

    produced = await _produced(seeded, ticket_id)
    assert len(produced) == 1
    event = produced[0]
    archived = DocumentArchived.model_validate(event.payload)
    assert (archived.document_code, archived.version, archived.sha256) == (document.code, 1, document.sha256)
    assert (archived.category, archived.site_code, archived.ticket_id) == ("REC", "HH138", ticket_id)
    assert event.causation_id == envelope.message_id
    assert event.correlation_id == ticket_id
    assert (event.producer, event.type) == ("archive", "document.archived")


async def test_the_same_ticket_opened_again_files_nothing_new(seeded: World) -> None:
    """A new message id passes the inbox; the archive's own check must stop a second record (and code)."""
    first = _opened()
    second = seal(first.payload, producer="intake", correlation_id=first.correlation_id)
    ticket_id = first.payload.ticket_id

    await _deliver(seeded, first, second, first)

    consumed = await _rows(
        seeded, select(inbox.c.message_id).where(inbox.c.message_id.in_([first.message_id, second.message_id]))
    )
    assert len(consumed) == 2, "both messages must have reached the handler for this test to mean anything"
    assert len(await _documents(seeded, ticket_id)) == 1
    assert [e.causation_id for e in await _produced(seeded, ticket_id)] == [first.message_id]


async def test_two_tickets_get_consecutive_codes(seeded: World) -> None:
    """Codes are numbered per site, year and category without gaps when nothing fails in between."""
    one, two = _opened(), _opened()

    await _deliver(seeded, one, two)

    [first] = await _documents(seeded, one.payload.ticket_id)
    [second] = await _documents(seeded, two.payload.ticket_id)
    assert first.code.rsplit("-", 1)[0] == second.code.rsplit("-", 1)[0] == "HH138-2026-REC"
    assert _sequence(second.code) == _sequence(first.code) + 1
