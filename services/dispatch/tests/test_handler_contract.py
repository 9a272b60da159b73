"""Dispatch's `ticket.opened` handler over FastStream's in-memory broker and the real database: what it
writes to its own tables and which valid events it leaves in its outbox.

The session's database is shared by every test and dispatch counts each engineer's open tickets, so
these tests assign few tickets, to different owners, and never assert load figures.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from faststream.rabbit import TestRabbitBroker
from sqlalchemy import Select, select

import services
from services.dispatch.db import repository
from services.dispatch.db.tables import assignments, inbox, outbox
from services.dispatch.domain.routing import Engineer, Rule
from shared.contracts import (
    ComplaintRouted,
    Envelope,
    Priority,
    RawEnvelope,
    Reporter,
    RequestChannel,
    ServiceKind,
    TicketAssigned,
    TicketOpened,
    seal,
)
from shared.messaging.unit_of_work import ServiceDatabase
from shared.persistence.database import create_engine
from shared.runtime import ServiceRuntime
from shared.testing import World

QUEUE = "dispatch.inbox"


def _opened(subsystem: str, kind: ServiceKind = ServiceKind.FAULT) -> Envelope[TicketOpened]:
    """A `ticket.opened` from intake for a ticket no other test uses."""
    ticket_id = f"HH138-20261125-{uuid.uuid4().hex[:6]}"
    opened = TicketOpened(
        ticket_id=ticket_id,
        site_code="HH138",
        site_name="Infinity Mall, 138 Huaihai Middle Road",
        site_timezone="Asia/Shanghai",
        subsystem=subsystem,
        kind=kind,
        priority=Priority.NORMAL,
        channel=RequestChannel.HOTLINE,
        description=f"Test request for {subsystem} ({kind.value})",
        reporter=Reporter(name="Ms. Xu", phone="+86 21 5555 0101"),
        reported_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        received_at=datetime(2026, 11, 25, 2, 1, tzinfo=UTC),
    )
    return seal(opened, producer="intake", correlation_id=ticket_id)


def _again(envelope: Envelope[TicketOpened]) -> Envelope[TicketOpened]:
    """The same event under a new message id, as a replayed or re-published event would arrive."""
    return seal(envelope.payload, producer="intake", correlation_id=envelope.correlation_id)


async def _deliver(world: World, *envelopes: Envelope[Any]) -> None:
    """Hand each envelope, in turn, to dispatch's consumer of `dispatch.inbox`."""
    runtime = ServiceRuntime(services.definition("dispatch"), world.settings("dispatch"))
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


async def _produced(world: World, ticket_id: str, message_type: str) -> list[RawEnvelope]:
    """Events of one type dispatch left in its outbox for one ticket."""
    rows = await _rows(
        world,
        select(outbox.c.body).where(outbox.c.correlation_id == ticket_id, outbox.c.message_type == message_type),
    )
    return [RawEnvelope.model_validate_json(body) for (body,) in rows]


async def _assignments(world: World, ticket_id: str) -> list[Any]:
    return await _rows(world, select(assignments).where(assignments.c.ticket_id == ticket_id))


async def _ticket(world: World, ticket_id: str) -> dict[str, Any] | None:
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with ServiceDatabase(engine, services.definition("dispatch").metadata, producer="test").sessions() as s:
            return await repository.ticket_with_assignment(s, ticket_id)
    finally:
        await engine.dispose()


async def _roster(world: World) -> dict[str, Engineer]:
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with ServiceDatabase(engine, services.definition("dispatch").metadata, producer="test").sessions() as s:
            return {e.engineer_id: e for e in await repository.roster(s, "HH138")}
    finally:
        await engine.dispose()


async def test_an_opened_ticket_is_assigned_once_with_a_valid_ticket_assigned(seeded: World) -> None:
    """A bgm fault at HH138 goes to E01, who owns bgm there (deploy/demo/huaihai-138.toml), unless
    earlier tests of this session filled E01 up: then the least loaded bgm engineer on duty gets it."""
    roster = await _roster(seeded)
    if roster["E01"].available:
        expected = ("E01", Rule.SUBSYSTEM_OWNER.value)
    else:
        qualified = [e for e in roster.values() if "bgm" in e.skills and e.available]
        chosen = min(qualified, key=lambda e: (e.open_tickets, e.engineer_id))
        expected = (chosen.engineer_id, Rule.LEAST_LOADED.value)
    envelope = _opened("bgm")
    ticket_id = envelope.payload.ticket_id

    await _deliver(seeded, envelope)

    produced = await _produced(seeded, ticket_id, "ticket.assigned")
    assert len(produced) == 1
    event = produced[0]
    assigned = TicketAssigned.model_validate(event.payload)
    assert (assigned.engineer_id, assigned.rule) == expected
    assert assigned.engineer_name == roster[assigned.engineer_id].name
    assert (assigned.ticket_id, assigned.site_code, assigned.subsystem) == (ticket_id, "HH138", "bgm")
    assert event.causation_id == envelope.message_id
    assert event.correlation_id == ticket_id
    assert (event.producer, event.type, event.schema_version) == ("dispatch", "ticket.assigned", 1)

    ticket = await _ticket(seeded, ticket_id)
    assert ticket is not None
    assert (ticket["status"], ticket["queue"]) == ("assigned", "engineer")
    assert (ticket["engineer_id"], ticket["rule"]) == expected


async def test_the_same_envelope_delivered_twice_is_applied_once(seeded: World) -> None:
    """A redelivery (same message id) is caught by the inbox: no second assignment, no second event."""
    envelope = _opened("av")
    ticket_id = envelope.payload.ticket_id

    await _deliver(seeded, envelope)
    await _deliver(seeded, envelope)

    assert len(await _produced(seeded, ticket_id, "ticket.assigned")) == 1
    assert len(await _assignments(seeded, ticket_id)) == 1
    seen = await _rows(seeded, select(inbox.c.message_id).where(inbox.c.message_id == envelope.message_id))
    assert len(seen) == 1


async def test_a_second_opened_event_for_the_same_ticket_assigns_nobody_else(seeded: World) -> None:
    """A new message id passes the inbox, so only dispatch's own record of the ticket stops a second
    engineer (or the same one twice) from getting it."""
    first = _opened("control")
    second = _again(first)
    ticket_id = first.payload.ticket_id

    await _deliver(seeded, first, second)

    consumed = await _rows(
        seeded, select(inbox.c.message_id).where(inbox.c.message_id.in_([first.message_id, second.message_id]))
    )
    assert len(consumed) == 2, "both messages must have reached the handler for this test to mean anything"
    produced = await _produced(seeded, ticket_id, "ticket.assigned")
    assert [e.causation_id for e in produced] == [first.message_id]
    assert len(await _assignments(seeded, ticket_id)) == 1


async def test_a_complaint_is_routed_to_the_quality_desk_and_assigned_to_nobody(seeded: World) -> None:
    """Even about bgm, whose owner E01 is on duty, a complaint reaches only the quality desk."""
    envelope = _opened("bgm", ServiceKind.COMPLAINT)
    ticket_id = envelope.payload.ticket_id

    await _deliver(seeded, envelope)

    routed = await _produced(seeded, ticket_id, "complaint.routed")
    assert len(routed) == 1
    complaint = ComplaintRouted.model_validate(routed[0].payload)
    assert (complaint.ticket_id, complaint.site_code, complaint.desk) == (ticket_id, "HH138", "quality")
    assert routed[0].causation_id == envelope.message_id
    assert await _produced(seeded, ticket_id, "ticket.assigned") == []
    assert await _assignments(seeded, ticket_id) == []
    ticket = await _ticket(seeded, ticket_id)
    assert ticket is not None
    assert (ticket["status"], ticket["queue"], ticket["engineer_id"]) == ("with_quality_desk", "quality", None)


async def test_a_ticket_nobody_can_take_waits_for_the_service_manager_silently(seeded: World) -> None:
    """No engineer at HH138 has the `lighting` skill: the ticket is parked, and no event claims otherwise."""
    envelope = _opened("lighting")
    ticket_id = envelope.payload.ticket_id

    await _deliver(seeded, envelope)

    ticket = await _ticket(seeded, ticket_id)
    assert ticket is not None
    assert (ticket["status"], ticket["queue"], ticket["engineer_id"]) == (
        "awaiting_assignment",
        "service_manager",
        None,
    )
    produced = await _rows(seeded, select(outbox.c.message_type).where(outbox.c.correlation_id == ticket_id))
    assert produced == []
