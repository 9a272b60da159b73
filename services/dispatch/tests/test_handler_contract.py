"""Dispatch's `ticket.opened` handler over FastStream's in-memory broker and the real database: what it
writes to its own tables and which valid events it leaves in its outbox.

The connection's database is shared by every test and dispatch counts each engineer's open tickets, so
these tests assign few tickets, to different owners, and never assert load figures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

import services
from services.dispatch.db.schema import inbox, outbox
from services.dispatch.roster import repository as roster
from services.dispatch.roster.domain import Duty, Engineer
from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.routing import Rule
from services.dispatch.tickets.tables import assignments, ticket_history
from shared.contracts import (
    ComplaintRouted,
    Envelope,
    Priority,
    ServiceKind,
    TicketAssigned,
    TicketOpened,
    TicketReclassified,
    seal,
)
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from testkit.database import fetch_all, produced
from testkit.in_process import deliver_in_memory
from testkit.samples import again, opened_envelope
from testkit.world import World

QUEUE = "dispatch.inbox"


async def _assignments(world: World, ticket_id: str) -> list[Any]:
    return await fetch_all(world, select(assignments).where(assignments.c.ticket_id == ticket_id))


async def _ticket(world: World, ticket_id: str) -> dict[str, Any] | None:
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with ServiceDatabase(engine, services.definition("dispatch").metadata, producer="test").connect() as s:
            return await repository.ticket_with_assignment(s, ticket_id)
    finally:
        await engine.dispose()


async def _roster(world: World) -> dict[str, Engineer]:
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with ServiceDatabase(engine, services.definition("dispatch").metadata, producer="test").connect() as s:
            return {e.engineer_id: e for e in await roster.roster(s, "HH138", datetime.now(UTC))}
    finally:
        await engine.dispose()


async def test_an_opened_ticket_is_assigned_once_with_a_valid_ticket_assigned(seeded: World) -> None:
    """A bgm fault at HH138 goes to E01, who owns bgm there and is on shift or on call at any hour
    (deploy/demo/huaihai-138.toml), unless earlier tests of this connection filled E01 up: then the
    least loaded bgm engineer on duty gets it."""
    engineers = await _roster(seeded)
    if engineers["E01"].available:
        expected = ("E01", Rule.SUBSYSTEM_OWNER.value)
    else:
        qualified = [e for e in engineers.values() if "bgm" in e.skills and e.available]
        chosen = min(qualified, key=lambda e: (e.duty is not Duty.ON_SHIFT, e.open_tickets, e.engineer_id))
        expected = (chosen.engineer_id, Rule.LEAST_LOADED.value)
    envelope = opened_envelope(subsystem="bgm")
    ticket_id = envelope.payload.ticket_id

    await deliver_in_memory(seeded, "dispatch", QUEUE, envelope)

    events = await produced(seeded, "dispatch", "ticket.assigned", correlation_id=ticket_id)
    assert len(events) == 1
    event = events[0]
    assigned = TicketAssigned.model_validate(event.payload)
    assert (assigned.engineer_id, assigned.rule) == expected
    assert assigned.engineer_name == engineers[assigned.engineer_id].name
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
    envelope = opened_envelope(subsystem="av")
    ticket_id = envelope.payload.ticket_id

    await deliver_in_memory(seeded, "dispatch", QUEUE, envelope)
    await deliver_in_memory(seeded, "dispatch", QUEUE, envelope)

    assert len(await produced(seeded, "dispatch", "ticket.assigned", correlation_id=ticket_id)) == 1
    assert len(await _assignments(seeded, ticket_id)) == 1
    seen = await fetch_all(seeded, select(inbox.c.message_id).where(inbox.c.message_id == envelope.message_id))
    assert len(seen) == 1


async def test_a_second_opened_event_for_the_same_ticket_assigns_nobody_else(seeded: World) -> None:
    """A new message id passes the inbox, so only dispatch's own record of the ticket stops a second
    engineer (or the same one twice) from getting it."""
    first = opened_envelope(subsystem="control")
    second = again(first)
    ticket_id = first.payload.ticket_id

    await deliver_in_memory(seeded, "dispatch", QUEUE, first, second)

    consumed = await fetch_all(
        seeded, select(inbox.c.message_id).where(inbox.c.message_id.in_([first.message_id, second.message_id]))
    )
    assert len(consumed) == 2, "both messages must have reached the handler for this test to mean anything"
    events = await produced(seeded, "dispatch", "ticket.assigned", correlation_id=ticket_id)
    assert [e.causation_id for e in events] == [first.message_id]
    assert len(await _assignments(seeded, ticket_id)) == 1


async def test_a_complaint_is_routed_to_the_quality_desk_and_assigned_to_nobody(seeded: World) -> None:
    """Even about bgm, whose owner E01 is on duty, a complaint reaches only the quality desk."""
    envelope = opened_envelope(subsystem="bgm", kind=ServiceKind.COMPLAINT)
    ticket_id = envelope.payload.ticket_id

    await deliver_in_memory(seeded, "dispatch", QUEUE, envelope)

    routed = await produced(seeded, "dispatch", "complaint.routed", correlation_id=ticket_id)
    assert len(routed) == 1
    complaint = ComplaintRouted.model_validate(routed[0].payload)
    assert (complaint.ticket_id, complaint.site_code, complaint.desk) == (ticket_id, "HH138", "quality")
    assert routed[0].causation_id == envelope.message_id
    assert await produced(seeded, "dispatch", "ticket.assigned", correlation_id=ticket_id) == []
    assert await _assignments(seeded, ticket_id) == []
    ticket = await _ticket(seeded, ticket_id)
    assert ticket is not None
    assert (ticket["status"], ticket["queue"], ticket["engineer_id"]) == ("with_quality_desk", "quality", None)


async def test_a_ticket_nobody_can_take_waits_for_the_service_manager_and_says_so(seeded: World) -> None:
    """No engineer at HH138 has the `lighting` skill: the ticket waits, announced once with the reason,
    and no event claims an engineer has it."""
    envelope = opened_envelope(subsystem="lighting")
    ticket_id = envelope.payload.ticket_id

    await deliver_in_memory(seeded, "dispatch", QUEUE, envelope)

    ticket = await _ticket(seeded, ticket_id)
    assert ticket is not None
    assert (ticket["status"], ticket["queue"], ticket["engineer_id"]) == (
        "awaiting_assignment",
        "service_manager",
        None,
    )
    announced = await fetch_all(seeded, select(outbox.c.message_type).where(outbox.c.correlation_id == ticket_id))
    assert announced == [("ticket.awaiting_assignment",)]
    [waiting] = await produced(seeded, "dispatch", "ticket.awaiting_assignment", correlation_id=ticket_id)
    assert waiting.payload["why"] == "no engineer of this site has the skill lighting"


def _reclassified(
    opened: Envelope[TicketOpened], kind: ServiceKind, previous: ServiceKind
) -> Envelope[TicketReclassified]:
    change = TicketReclassified(
        ticket_id=opened.payload.ticket_id,
        kind=kind,
        priority=Priority.HIGH,
        previous_kind=previous,
        previous_priority=Priority.NORMAL,
        reason="the caller is complaining about the last visit",
        actor="liu.yang",
        reclassified_at=opened.payload.reported_at,
    )
    return seal(change, producer="intake", correlation_id=opened.payload.ticket_id)


async def test_a_ticket_that_becomes_a_complaint_leaves_its_engineer_for_the_quality_desk_and_back(
    seeded: World,
) -> None:
    opened = opened_envelope(subsystem="signage")
    ticket_id = opened.payload.ticket_id
    await deliver_in_memory(seeded, "dispatch", QUEUE, opened)
    assert len(await _assignments(seeded, ticket_id)) == 1

    await deliver_in_memory(seeded, "dispatch", QUEUE, _reclassified(opened, ServiceKind.COMPLAINT, ServiceKind.FAULT))
    ticket = await _ticket(seeded, ticket_id)
    assert ticket is not None
    assert (ticket["status"], ticket["queue"], ticket["kind"], ticket["priority"], ticket["engineer_id"]) == (
        "with_quality_desk",
        "quality",
        "complaint",
        "high",
        None,
    )
    [routed] = await produced(seeded, "dispatch", "complaint.routed", correlation_id=ticket_id)
    assert routed.payload["desk"] == "quality"

    await deliver_in_memory(seeded, "dispatch", QUEUE, _reclassified(opened, ServiceKind.FAULT, ServiceKind.COMPLAINT))
    assert (await _ticket(seeded, ticket_id) or {})["status"] == "assigned"
    assert len(await produced(seeded, "dispatch", "ticket.assigned", correlation_id=ticket_id)) == 2
    history = await fetch_all(seeded, select(ticket_history).where(ticket_history.c.ticket_id == ticket_id))
    assert [(row.action, row.actor) for row in history] == [
        ("assign", "dispatch"),
        ("reclassify", "liu.yang"),
        ("route", "dispatch"),
        ("reclassify", "liu.yang"),
        ("assign", "dispatch"),
    ]
