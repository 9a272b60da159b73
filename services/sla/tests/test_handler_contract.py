"""The SLA service's `ticket.opened` handler over FastStream's in-memory broker and the real database:
the clock it starts and the valid `sla.clock_started` it leaves in its outbox, once per ticket."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.sla.db.tables import clocks, inbox
from shared.contracts import ClockKind, Envelope, ServiceKind, SlaClockStarted, TicketOpened, seal
from shared.testing import World, deliver_in_memory, fetch_all, opened_envelope, produced

QUEUE = "sla.inbox"
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _opened(reported_at: datetime = WEDNESDAY_MORNING) -> Envelope[TicketOpened]:
    """A `ticket.opened` from intake, at HH138 in Shanghai, for a ticket no other test uses."""
    return opened_envelope(site_code="HH138", site_timezone="Asia/Shanghai", reported_at=reported_at)


async def _clocks(world: World, ticket_id: str) -> list[Any]:
    return await fetch_all(world, select(clocks).where(clocks.c.ticket_id == ticket_id))


async def test_an_opened_ticket_starts_one_on_site_clock_and_announces_it(seeded: World) -> None:
    """A Wednesday 10:00 call in Shanghai: a working day, so the engineer is due on site by 14:00."""
    envelope = _opened()
    ticket_id = envelope.payload.ticket_id

    await deliver_in_memory(seeded, "sla", QUEUE, envelope)

    events = await produced(seeded, "sla", "sla.clock_started", correlation_id=ticket_id)
    assert len(events) == 1
    event = events[0]
    started = SlaClockStarted.model_validate(event.payload)
    assert (started.ticket_id, started.clock, started.calendar) == (ticket_id, ClockKind.ON_SITE, "CN")
    assert (started.target_minutes, started.day_type) == (240, "working_day")
    assert started.started_at == WEDNESDAY_MORNING
    assert started.due_at == datetime(2026, 11, 25, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert event.causation_id == envelope.message_id
    assert event.correlation_id == ticket_id
    assert (event.producer, event.type) == ("sla", "sla.clock_started")

    [clock] = await _clocks(seeded, ticket_id)
    assert (clock.kind, clock.site_code, clock.status) == ("on_site", "HH138", "running")
    assert (clock.started_at, clock.due_at) == (started.started_at, started.due_at)


async def test_a_holiday_call_gets_an_eight_hour_clock(seeded: World) -> None:
    """The handler passes the site's time zone through: 00:30 on 1 October in Shanghai is National Day."""
    envelope = _opened(datetime(2026, 10, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai")))

    await deliver_in_memory(seeded, "sla", QUEUE, envelope)

    [event] = await produced(seeded, "sla", "sla.clock_started", correlation_id=envelope.payload.ticket_id)
    started = SlaClockStarted.model_validate(event.payload)
    assert (started.target_minutes, started.day_type) == (480, "holiday")
    assert started.due_at - started.started_at == timedelta(hours=8)


async def test_the_same_ticket_opened_again_under_a_new_message_id_keeps_one_clock(seeded: World) -> None:
    """The inbox cannot catch a new message id; the clock's own key must, and nothing is announced twice."""
    first = _opened()
    second = seal(first.payload, producer="intake", correlation_id=first.correlation_id)
    ticket_id = first.payload.ticket_id

    await deliver_in_memory(seeded, "sla", QUEUE, first, second, first)

    consumed = await fetch_all(
        seeded, select(inbox.c.message_id).where(inbox.c.message_id.in_([first.message_id, second.message_id]))
    )
    assert len(consumed) == 2, "both messages must have reached the handler for this test to mean anything"
    assert len(await _clocks(seeded, ticket_id)) == 1
    events = await produced(seeded, "sla", "sla.clock_started", correlation_id=ticket_id)
    assert [e.causation_id for e in events] == [first.message_id]


async def test_only_faults_and_broken_devices_start_the_on_site_clock(seeded: World) -> None:
    """The contract promises an engineer on site for failures; a complaint or a question has no such clock."""
    complaint = opened_envelope(kind=ServiceKind.COMPLAINT, reported_at=WEDNESDAY_MORNING)
    question = opened_envelope(kind=ServiceKind.CONSULTATION, reported_at=WEDNESDAY_MORNING)
    repair = opened_envelope(kind=ServiceKind.WARRANTY_REPAIR, reported_at=WEDNESDAY_MORNING)

    await deliver_in_memory(seeded, "sla", QUEUE, complaint, question, repair)

    assert await _clocks(seeded, complaint.payload.ticket_id) == []
    assert await _clocks(seeded, question.payload.ticket_id) == []
    assert [c.kind for c in await _clocks(seeded, repair.payload.ticket_id)] == ["on_site"]
    assert await produced(seeded, "sla", "sla.clock_started", correlation_id=complaint.payload.ticket_id) == []
