"""The SLA service's `ticket.opened` handler over FastStream's in-memory broker and the real database:
the clock it starts and the valid `sla.clock_started` it leaves in its outbox, once per ticket."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from faststream.rabbit import TestRabbitBroker
from sqlalchemy import Select, select

import services
from services.sla.db.tables import clocks, inbox, outbox
from shared.contracts import (
    ClockKind,
    Envelope,
    Priority,
    RawEnvelope,
    Reporter,
    RequestChannel,
    ServiceKind,
    SlaClockStarted,
    TicketOpened,
    seal,
)
from shared.persistence.database import create_engine
from shared.runtime import ServiceRuntime
from shared.testing import World

QUEUE = "sla.inbox"
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _opened(reported_at: datetime = WEDNESDAY_MORNING) -> Envelope[TicketOpened]:
    """A `ticket.opened` from intake for a ticket no other test uses."""
    ticket_id = f"HH138-20261125-{uuid.uuid4().hex[:6]}"
    opened = TicketOpened(
        ticket_id=ticket_id,
        site_code="HH138",
        site_name="Infinity Mall, 138 Huaihai Middle Road",
        site_timezone="Asia/Shanghai",
        subsystem="bgm",
        kind=ServiceKind.FAULT,
        priority=Priority.NORMAL,
        channel=RequestChannel.HOTLINE,
        description="No background music in the L1 atrium",
        reporter=Reporter(name="Ms. Xu", phone="+86 21 5555 0101"),
        reported_at=reported_at,
        received_at=reported_at + timedelta(minutes=1),
    )
    return seal(opened, producer="intake", correlation_id=ticket_id)


async def _deliver(world: World, *envelopes: Envelope[Any]) -> None:
    """Hand each envelope, in turn, to the SLA service's consumer of `sla.inbox`."""
    runtime = ServiceRuntime(services.definition("sla"), world.settings("sla"))
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
        select(outbox.c.body).where(outbox.c.correlation_id == ticket_id, outbox.c.message_type == "sla.clock_started"),
    )
    return [RawEnvelope.model_validate_json(body) for (body,) in rows]


async def _clocks(world: World, ticket_id: str) -> list[Any]:
    return await _rows(world, select(clocks).where(clocks.c.ticket_id == ticket_id))


async def test_an_opened_ticket_starts_one_on_site_clock_and_announces_it(seeded: World) -> None:
    """A Wednesday 10:00 call in Shanghai: a working day, so the engineer is due on site by 14:00."""
    envelope = _opened()
    ticket_id = envelope.payload.ticket_id

    await _deliver(seeded, envelope)

    produced = await _produced(seeded, ticket_id)
    assert len(produced) == 1
    event = produced[0]
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

    await _deliver(seeded, envelope)

    [event] = await _produced(seeded, envelope.payload.ticket_id)
    started = SlaClockStarted.model_validate(event.payload)
    assert (started.target_minutes, started.day_type) == (480, "holiday")
    assert started.due_at - started.started_at == timedelta(hours=8)


async def test_the_same_ticket_opened_again_under_a_new_message_id_keeps_one_clock(seeded: World) -> None:
    """The inbox cannot catch a new message id; the clock's own key must, and nothing is announced twice."""
    first = _opened()
    second = seal(first.payload, producer="intake", correlation_id=first.correlation_id)
    ticket_id = first.payload.ticket_id

    await _deliver(seeded, first, second, first)

    consumed = await _rows(
        seeded, select(inbox.c.message_id).where(inbox.c.message_id.in_([first.message_id, second.message_id]))
    )
    assert len(consumed) == 2, "both messages must have reached the handler for this test to mean anything"
    assert len(await _clocks(seeded, ticket_id)) == 1
    assert [e.causation_id for e in await _produced(seeded, ticket_id)] == [first.message_id]
