"""The timer scheduler with an injected clock: warnings and breaches fire when due, once, whatever the
number of schedulers or restarts, and never for a clock already stopped.

It runs against a database of its own: a scheduler fires every due timer it finds, and the shared
test database holds other tests' clocks.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import services
from services.sla import tracking
from services.sla.db import firing, repository
from services.sla.scheduler import TimerScheduler
from shared.contracts import Agreement, TicketOnSite, VendorEscalationSent, seal
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from testkit.database import produced
from testkit.in_process import deliver_in_memory
from testkit.samples import opened_envelope
from testkit.waiting import eventually, stays
from testkit.world import World, create_world, destroy_world

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Wednesday morning


@pytest.fixture(scope="module")
def own_world() -> Iterator[World]:
    world = create_world()
    try:
        yield world
    finally:
        destroy_world(world)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def database(own_world: World) -> AsyncIterator[ServiceDatabase]:
    engine = create_engine(own_world.database_url, pool_size=4)
    yield ServiceDatabase(engine, services.definition("sla").metadata, producer="sla")
    await engine.dispose()


async def _open(world: World, count: int, reported_at: datetime) -> list[str]:
    envelopes = [opened_envelope(reported_at=reported_at) for _ in range(count)]
    await deliver_in_memory(world, "sla", "sla.inbox", *envelopes)
    return [e.payload.ticket_id for e in envelopes]


async def _fired(world: World, tickets: list[str]) -> Counter[tuple[str, str, str]]:
    """(ticket, clock, warning|breach) -> how many events the outbox holds."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for message_type, label in (("sla.warning", "warning"), ("sla.breached", "breach")):
        for event in await produced(world, "sla", message_type):
            if event.correlation_id in tickets:
                counts[event.correlation_id, event.payload["clock"], label] += 1
    return counts


async def test_warnings_and_breaches_fire_when_due_and_only_once(own_world: World, database: ServiceDatabase) -> None:
    tickets = await _open(own_world, 3, T0)
    clock = FakeClock(T0 + timedelta(minutes=22))
    scheduler = TimerScheduler(database, now=clock)

    assert await scheduler.fire_due() == 0  # 22 of 30 minutes: below the 75 % warning

    clock.now = T0 + timedelta(minutes=23)
    assert await scheduler.fire_due() == 3
    assert await _fired(own_world, tickets) == {(t, "response", "warning"): 1 for t in tickets}

    # The engineer of the second ticket is on site at 2 h: that answers the call (late) and stops the
    # on-site clock in time, before its 3 h warning.
    arrived = tickets[1]
    arrival = TicketOnSite(ticket_id=arrived, engineer_id="E01", arrived_at=T0 + timedelta(hours=2))
    await deliver_in_memory(own_world, "sla", "sla.inbox", seal(arrival, producer="dispatch", correlation_id=arrived))

    clock.now = T0 + timedelta(hours=4)
    await scheduler.fire_due()
    assert await scheduler.fire_due() == 0  # nothing fires twice
    fired = await _fired(own_world, tickets)
    assert fired[arrived, "response", "breach"] == 1  # announced when the late answer became known
    assert (fired[arrived, "on_site", "warning"], fired[arrived, "on_site", "breach"]) == (0, 0)
    for ticket in (tickets[0], tickets[2]):
        assert fired[ticket, "response", "breach"] == 1
        assert (fired[ticket, "on_site", "warning"], fired[ticket, "on_site", "breach"]) == (1, 1)
        assert fired[ticket, "resolution", "breach"] == 0  # 18 business hours: due on Friday


async def test_competing_schedulers_and_a_restart_fire_each_timer_once(
    own_world: World, database: ServiceDatabase
) -> None:
    tickets = await _open(own_world, 120, T0 - timedelta(days=1))  # Tuesday: on-site and response long overdue
    clock = FakeClock(T0)
    other_engine = create_engine(own_world.database_url, pool_size=4)
    other = ServiceDatabase(other_engine, services.definition("sla").metadata, producer="sla")
    try:
        first, second = (
            TimerScheduler(database, now=clock, batch_size=7),
            TimerScheduler(other, now=clock, batch_size=7),
        )
        counts = await asyncio.gather(first.fire_due(), second.fire_due())
        assert all(counts), f"both schedulers should have fired some timers: {counts}"
        restarted = TimerScheduler(database, now=clock)  # a fresh process: nothing left to fire
        assert await restarted.fire_due() == 0
    finally:
        await other_engine.dispose()
    fired = await _fired(own_world, tickets)
    assert set(fired.values()) == {1}
    assert len(fired) == 120 * 4  # response and on-site: a warning and a breach each


async def test_a_batch_records_each_breach_on_its_clock_and_stamps_each_timer_fired(
    own_world: World, database: ServiceDatabase
) -> None:
    """Forty tickets' timers fired in one batch (one statement per step): each breached clock holds its
    breach and its moment, a clock only warned holds none, and no armed timer is left due."""
    tickets = await _open(own_world, 40, T0 - timedelta(minutes=25))  # response warned (22.5) and breached (30)
    now = T0 + timedelta(minutes=10)
    assert await TimerScheduler(database, now=FakeClock(now)).fire_due() == 80
    async with database.connect() as connection:
        for ticket in tickets:
            stored = {row.kind: row for row in await repository.clocks_of(connection, ticket)}
            assert (stored["response"].outcome, stored["response"].breached_at) == (
                "breached",
                T0 - timedelta(minutes=25) + timedelta(minutes=30),
            )
            assert (stored["on_site"].outcome, stored["on_site"].breached_at) == (None, None)
        assert await firing.claim_due_timers(connection, now, 500) == []
    fired = await _fired(own_world, tickets)
    assert fired == {(t, "response", label): 1 for t in tickets for label in ("warning", "breach")}


async def test_the_running_scheduler_fires_a_timer_that_falls_due(own_world: World, database: ServiceDatabase) -> None:
    clock = FakeClock(T0)
    [ticket] = await _open(own_world, 1, T0)
    scheduler = TimerScheduler(database, now=clock, tick=timedelta(milliseconds=20))
    scheduler.start()

    async def breaches() -> int:
        return (await _fired(own_world, [ticket]))[ticket, "response", "breach"]

    async def not_breached() -> bool:
        return await breaches() == 0

    try:
        await stays(not_breached, what="no breach before the deadline")
        clock.now = T0 + timedelta(minutes=30)
        await eventually(breaches, timeout=2, what="the breach fired by the running scheduler")
        await stays(lambda: _equals(breaches(), 1), what="the breach fired once")
    finally:
        await scheduler.stop()
    assert not scheduler.running


async def _equals(value, expected) -> bool:
    return await value == expected


async def test_a_vendor_partners_clock_warns_and_breaches_once_per_partner_and_case(
    own_world: World, database: ServiceDatabase
) -> None:
    [ticket] = await _open(own_world, 1, T0)
    sent = VendorEscalationSent(
        case_number="VC-000042",
        escalation_id=f"{ticket}-V1",
        ticket_id=ticket,
        partner="acme",
        reason="technical_question",
        site_code="HH138",
        timezone="Asia/Shanghai",
        asset_tag=None,
        agreement=Agreement(acknowledge_hours=4, on_site_hours=24, repair_working_days=5, replacement_days=5),
        agreement_version=1,
        sent_at=T0,
    )
    await deliver_in_memory(own_world, "sla", "sla.inbox", seal(sent, producer="vendor", correlation_id=ticket))
    clock = FakeClock(T0 + timedelta(hours=5))
    scheduler = TimerScheduler(database, now=clock)
    await scheduler.fire_due()
    assert await scheduler.fire_due() == 0
    warned = [e.payload for e in await produced(own_world, "sla", "sla.vendor_warning", correlation_id=ticket)]
    breached = [e.payload for e in await produced(own_world, "sla", "sla.vendor_breached", correlation_id=ticket)]
    assert [(w["clock"], w["partner"], w["case_number"]) for w in warned] == [("acknowledge", "acme", "VC-000042")]
    assert [(b["clock"], datetime.fromisoformat(b["due_at"])) for b in breached] == [
        ("acknowledge", T0 + timedelta(hours=4))
    ]


async def test_a_breach_the_scheduler_fires_while_a_handler_stops_the_clock_is_announced_once(
    own_world: World, database: ServiceDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engineer's late arrival stops the response clock just as its breach falls due: the handler,
    between reading the clocks and settling them, lets the scheduler run. Either one announces the
    breach, never both."""
    [ticket] = await _open(own_world, 1, T0 - timedelta(hours=1))  # the response was due at T0 - 30 min
    scheduler = TimerScheduler(database, now=FakeClock(T0))
    fired_meanwhile: list[int] = []
    settle = tracking._reconcile

    async def settle_after_the_scheduler_ran(uow: UnitOfWork, ticket_read: tracking.TrackedTicket) -> None:
        fired_meanwhile.append(await scheduler.fire_due())
        await settle(uow, ticket_read)

    monkeypatch.setattr(tracking, "_reconcile", settle_after_the_scheduler_ran)
    arrival = TicketOnSite(ticket_id=ticket, engineer_id="E01", arrived_at=T0)
    await deliver_in_memory(own_world, "sla", "sla.inbox", seal(arrival, producer="dispatch", correlation_id=ticket))
    monkeypatch.undo()
    await scheduler.fire_due()

    assert fired_meanwhile, "the handler settled the clocks"
    assert (await _fired(own_world, [ticket]))[ticket, "response", "breach"] == 1
