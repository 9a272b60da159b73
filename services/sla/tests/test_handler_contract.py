"""The SLA service's handlers over FastStream's in-memory broker and the real database: the clocks
ticket events start and stop, and the events they leave in the outbox, under the standard policy."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.sla.db import repository
from services.sla.db.tables import clocks, inbox, timers
from shared.contracts import (
    ClockKind,
    Envelope,
    Event,
    Priority,
    ServiceKind,
    SlaBreached,
    SlaClocksStarted,
    SlaMet,
    TicketOnSite,
    TicketPaused,
    TicketReclassified,
    TicketReopened,
    TicketResolved,
    TicketResumed,
    seal,
)
from shared.persistence.database import create_engine
from testkit.database import fetch_all, produced
from testkit.in_process import deliver_in_memory
from testkit.samples import from_dispatch, opened_envelope
from testkit.world import World

QUEUE = "sla.inbox"
STARTED = SlaClocksStarted.message_type
SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


async def _clocks(world: World, ticket_id: str) -> dict[tuple[str, int], Any]:
    rows = await fetch_all(world, select(clocks).where(clocks.c.ticket_id == ticket_id))
    return {(row.kind, row.cycle): row for row in rows}


async def _running(world: World, ticket_id: str) -> list[str]:
    """The ticket's clocks as the board lists them (GET /clocks), soonest due first."""
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            running = await repository.running_clocks(connection, site_code=None)
    finally:
        await engine.dispose()
    return [clock["clock"] for clock in running if clock["ticket_id"] == ticket_id]


async def _timers(world: World, ticket_id: str, kind: str) -> dict[float, Any]:
    rows = await fetch_all(world, select(timers).where(timers.c.ticket_id == ticket_id, timers.c.kind == kind))
    return {row.fraction: row.due_at for row in rows}


async def _announced(world: World, ticket_id: str, message_type: str) -> list[Any]:
    return [e.payload for e in await produced(world, "sla", message_type, correlation_id=ticket_id)]


async def test_a_fault_starts_response_on_site_and_resolution_clocks(seeded: World) -> None:
    """A Wednesday 10:00 call in Shanghai: answered by 10:30, engineer on site by 14:00."""
    envelope = opened_envelope(reported_at=WEDNESDAY_MORNING)
    ticket_id = envelope.payload.ticket_id

    await deliver_in_memory(seeded, "sla", QUEUE, envelope)

    [announced] = [
        SlaClocksStarted.model_validate(e) for e in await _announced(seeded, ticket_id, "sla.clocks_started")
    ]
    assert [c.clock for c in announced.clocks] == ["response", "on_site", "resolution"]  # in one event
    started = {c.clock.value: c for c in announced.clocks}
    assert (started["on_site"].target_minutes, started["on_site"].day_type) == (240, "working_day")
    assert started["on_site"].due_at == datetime(2026, 11, 25, 14, 0, tzinfo=SHANGHAI)
    assert started["response"].due_at == datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI)
    assert (started["resolution"].counting, started["resolution"].policy) == ("business_hours", "standard")
    [event] = await produced(seeded, "sla", "sla.clocks_started", correlation_id=ticket_id)
    assert event.causation_id == envelope.message_id
    assert await _announced(seeded, ticket_id, "sla.clock_started") == []  # the old one per clock, no more

    stored = await _clocks(seeded, ticket_id)
    assert stored["on_site", 1].due_at == started["on_site"].due_at
    # A warning at 75 % of the target and the breach are armed as timers.
    assert await _timers(seeded, ticket_id, "on_site") == {
        0.75: datetime(2026, 11, 25, 13, 0, tzinfo=SHANGHAI),
        1.0: datetime(2026, 11, 25, 14, 0, tzinfo=SHANGHAI),
    }


async def test_a_holiday_call_gets_an_eight_hour_on_site_clock(seeded: World) -> None:
    """The site's time zone decides the day: 00:30 on 1 October in Shanghai is National Day."""
    envelope = opened_envelope(reported_at=datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI))

    await deliver_in_memory(seeded, "sla", QUEUE, envelope)

    on_site = await _clocks(seeded, envelope.payload.ticket_id)
    assert (on_site["on_site", 1].target_minutes, on_site["on_site", 1].day_type) == (480, "holiday")
    assert on_site["on_site", 1].due_at - on_site["on_site", 1].started_at == timedelta(hours=8)


async def test_the_same_ticket_opened_again_under_a_new_message_id_starts_nothing_new(seeded: World) -> None:
    first = opened_envelope(reported_at=WEDNESDAY_MORNING)
    second = seal(first.payload, producer="intake", correlation_id=first.correlation_id)
    ticket_id = first.payload.ticket_id

    await deliver_in_memory(seeded, "sla", QUEUE, first, second, first)

    consumed = await fetch_all(
        seeded, select(inbox.c.message_id).where(inbox.c.message_id.in_([first.message_id, second.message_id]))
    )
    assert len(consumed) == 2, "both messages must have reached the handler for this test to mean anything"
    assert len(await _clocks(seeded, ticket_id)) == 3
    [started] = await _announced(seeded, ticket_id, "sla.clocks_started")
    assert len(started["clocks"]) == 3


async def test_only_faults_and_broken_devices_start_the_on_site_clock(seeded: World) -> None:
    complaint = opened_envelope(reported_at=WEDNESDAY_MORNING, kind=ServiceKind.COMPLAINT)
    question = opened_envelope(reported_at=WEDNESDAY_MORNING, kind=ServiceKind.CONSULTATION)
    repair = opened_envelope(reported_at=WEDNESDAY_MORNING, kind=ServiceKind.WARRANTY_REPAIR)

    await deliver_in_memory(seeded, "sla", QUEUE, complaint, question, repair)

    assert sorted(await _clocks(seeded, complaint.payload.ticket_id)) == [("resolution", 1), ("response", 1)]
    assert sorted(await _clocks(seeded, question.payload.ticket_id)) == [("resolution", 1), ("response", 1)]
    assert ("on_site", 1) in await _clocks(seeded, repair.payload.ticket_id)


async def test_arriving_in_time_stops_the_clock_announces_it_met_and_disarms_its_timers(seeded: World) -> None:
    opened = opened_envelope(reported_at=WEDNESDAY_MORNING)
    ticket_id = opened.payload.ticket_id
    arrival = from_dispatch(
        TicketOnSite(ticket_id=ticket_id, engineer_id="E01", arrived_at=WEDNESDAY_MORNING + timedelta(hours=3))
    )

    await deliver_in_memory(seeded, "sla", QUEUE, opened, arrival)

    on_site = (await _clocks(seeded, ticket_id))["on_site", 1]
    assert (on_site.stopped_at, on_site.outcome) == (WEDNESDAY_MORNING + timedelta(hours=3), "met")
    [met] = [
        SlaMet.model_validate(e) for e in await _announced(seeded, ticket_id, "sla.met") if e["clock"] == "on_site"
    ]
    assert (met.elapsed_minutes, met.remaining_minutes, met.corrects_breach) == (180, 60, False)
    assert await _timers(seeded, ticket_id, "on_site") == {}
    # Arrival also answers the call: the response clock stopped too, late (30 minutes).
    assert (await _clocks(seeded, ticket_id))["response", 1].outcome == "breached"
    [late] = await _announced(seeded, ticket_id, "sla.breached")
    assert SlaBreached.model_validate(late).clock is ClockKind.RESPONSE


async def test_an_arrival_heard_before_the_opening_is_applied_when_the_opening_comes(seeded: World) -> None:
    opened = opened_envelope(reported_at=WEDNESDAY_MORNING)
    ticket_id = opened.payload.ticket_id
    arrival = from_dispatch(
        TicketOnSite(ticket_id=ticket_id, engineer_id="E01", arrived_at=WEDNESDAY_MORNING + timedelta(hours=1))
    )

    await deliver_in_memory(seeded, "sla", QUEUE, arrival)
    assert await _clocks(seeded, ticket_id) == {}
    await deliver_in_memory(seeded, "sla", QUEUE, opened)

    on_site = (await _clocks(seeded, ticket_id))["on_site", 1]
    assert (on_site.stopped_at, on_site.outcome) == (WEDNESDAY_MORNING + timedelta(hours=1), "met")
    assert [e["clock"] for e in await _announced(seeded, ticket_id, "sla.met")].count("on_site") == 1


async def test_a_pause_suspends_the_deadline_and_the_resume_moves_it(seeded: World) -> None:
    opened = opened_envelope(reported_at=WEDNESDAY_MORNING)
    ticket_id = opened.payload.ticket_id
    pause = from_dispatch(
        TicketPaused(
            ticket_id=ticket_id, reason="waiting_for_customer", paused_at=WEDNESDAY_MORNING + timedelta(hours=1)
        )
    )
    resume = from_dispatch(TicketResumed(ticket_id=ticket_id, resumed_at=WEDNESDAY_MORNING + timedelta(hours=3)))

    await deliver_in_memory(seeded, "sla", QUEUE, opened, pause)
    assert (await _clocks(seeded, ticket_id))["on_site", 1].due_at is None
    assert await _timers(seeded, ticket_id, "on_site") == {0.75: None, 1.0: None}

    await deliver_in_memory(seeded, "sla", QUEUE, resume)
    assert (await _clocks(seeded, ticket_id))["on_site", 1].due_at == datetime(2026, 11, 25, 16, 0, tzinfo=SHANGHAI)
    assert (await _timers(seeded, ticket_id, "on_site"))[1.0] == datetime(2026, 11, 25, 16, 0, tzinfo=SHANGHAI)


async def test_reopening_restarts_the_resolution_clock(seeded: World) -> None:
    opened = opened_envelope(reported_at=WEDNESDAY_MORNING)
    ticket_id = opened.payload.ticket_id
    resolved = from_dispatch(
        TicketResolved(
            ticket_id=ticket_id, summary="Amplifier fuse replaced", resolved_at=WEDNESDAY_MORNING + timedelta(hours=2)
        )
    )
    reopened = from_dispatch(
        TicketReopened(ticket_id=ticket_id, reason="No sound again", reopened_at=WEDNESDAY_MORNING + timedelta(days=1))
    )

    await deliver_in_memory(seeded, "sla", QUEUE, opened, resolved, reopened)

    stored = await _clocks(seeded, ticket_id)
    assert stored["resolution", 1].outcome == "met"
    assert (stored["resolution", 2].started_at, stored["resolution", 2].stopped_at) == (
        WEDNESDAY_MORNING + timedelta(days=1),
        None,
    )
    # Opened: its three clocks together; reopened: the resolution clock restarting alone.
    announced = [[(c["clock"], c["cycle"]) for c in e["clocks"]] for e in await _announced(seeded, ticket_id, STARTED)]
    assert sorted(announced) == [
        [("resolution", 2)],
        [("response", 1), ("on_site", 1), ("resolution", 1)],
    ]


def _reclassified(ticket_id: str, at: datetime, **change: Any) -> Envelope[Event]:
    values: dict[str, Any] = {
        "kind": ServiceKind.FAULT,
        "priority": Priority.NORMAL,
        "previous_kind": ServiceKind.FAULT,
    }
    values |= {"previous_priority": Priority.NORMAL, "reason": "on second look", "actor": "liu.yang"}
    event = TicketReclassified(ticket_id=ticket_id, reclassified_at=at, **(values | change))
    return seal(event, producer="intake", correlation_id=ticket_id)


async def test_a_reclassified_ticket_is_replanned_from_its_report_keeping_its_paused_time(seeded: World) -> None:
    """A fault reported Wednesday 10:00, waiting for the customer 11:00-13:00, found critical at 14:00:
    the resolution target falls from 18 to 9 business hours, still counted from 10:00 and without the
    two paused hours: Wednesday 10-11 and 13-18 (6 h), Thursday 9-12 (3 h)."""
    opened = opened_envelope(reported_at=WEDNESDAY_MORNING)
    ticket_id = opened.payload.ticket_id
    pause = from_dispatch(
        TicketPaused(
            ticket_id=ticket_id, reason="waiting_for_customer", paused_at=WEDNESDAY_MORNING + timedelta(hours=1)
        )
    )
    resume = from_dispatch(TicketResumed(ticket_id=ticket_id, resumed_at=WEDNESDAY_MORNING + timedelta(hours=3)))
    critical = _reclassified(ticket_id, WEDNESDAY_MORNING + timedelta(hours=4), priority=Priority.CRITICAL)

    await deliver_in_memory(seeded, "sla", QUEUE, opened, pause, resume)
    assert (await _clocks(seeded, ticket_id))["resolution", 1].due_at == datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)
    await deliver_in_memory(seeded, "sla", QUEUE, critical)

    resolution = (await _clocks(seeded, ticket_id))["resolution", 1]
    assert (resolution.target_minutes, resolution.started_at) == (540, WEDNESDAY_MORNING)
    assert resolution.due_at == datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI)
    assert (await _timers(seeded, ticket_id, "resolution"))[1.0] == resolution.due_at


async def test_a_clock_the_new_kind_lacks_is_cancelled_and_comes_back_with_the_kind(seeded: World) -> None:
    opened = opened_envelope(reported_at=WEDNESDAY_MORNING)
    ticket_id = opened.payload.ticket_id
    question = _reclassified(ticket_id, WEDNESDAY_MORNING + timedelta(minutes=10), kind=ServiceKind.CONSULTATION)
    fault_after_all = _reclassified(
        ticket_id,
        WEDNESDAY_MORNING + timedelta(minutes=20),
        kind=ServiceKind.FAULT,
        previous_kind=ServiceKind.CONSULTATION,
    )

    await deliver_in_memory(seeded, "sla", QUEUE, opened, question)
    stored = await _clocks(seeded, ticket_id)
    assert (stored["on_site", 1].outcome, stored["resolution", 1].target_minutes) == ("cancelled", 540)
    assert await _timers(seeded, ticket_id, "on_site") == {}
    assert await _running(seeded, ticket_id) == ["response", "resolution"]  # the board no longer counts on_site

    await deliver_in_memory(seeded, "sla", QUEUE, fault_after_all)
    stored = await _clocks(seeded, ticket_id)
    assert (stored["on_site", 1].outcome, stored["resolution", 1].target_minutes) == (None, 1080)
    assert (await _timers(seeded, ticket_id, "on_site"))[1.0] == datetime(2026, 11, 25, 14, 0, tzinfo=SHANGHAI)
    started = [c["clock"] for e in await _announced(seeded, ticket_id, STARTED) for c in e["clocks"]]
    assert started == ["response", "on_site", "resolution"]  # announced once, not again
