"""Which clocks a ticket gets and where they stand, from its facts in any order."""

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from services.sla.domain.clocks import ClockPlan, plan_clocks
from services.sla.domain.counting import Counting
from services.sla.domain.facts import PauseFact, TicketFacts
from services.sla.domain.policy import STANDARD_POLICY
from shared.contracts import ClockKind, Priority, ServiceKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


WEDNESDAY = sh(11, 25)


def facts(reported_at: datetime = WEDNESDAY, kind: ServiceKind = ServiceKind.FAULT, **known: object) -> TicketFacts:
    return TicketFacts(
        ticket_id="HH138-20261125-0001",
        site_code="HH138",
        timezone="Asia/Shanghai",
        kind=kind,
        priority=known.pop("priority", Priority.NORMAL),  # type: ignore[arg-type]
        reported_at=reported_at,
        **known,  # type: ignore[arg-type]
    )


def by_clock(plans: list[ClockPlan]) -> dict[tuple[ClockKind, int], ClockPlan]:
    return {(p.clock, p.cycle): p for p in plans}


def test_a_fault_on_a_working_day_gets_its_three_clocks() -> None:
    plans = by_clock(plan_clocks(facts(), STANDARD_POLICY))
    assert sorted((k.value, c) for k, c in plans) == [("on_site", 1), ("resolution", 1), ("response", 1)]
    assert plans[ClockKind.RESPONSE, 1].due_at == sh(11, 25, 10, 30)
    assert plans[ClockKind.ON_SITE, 1].due_at == sh(11, 25, 14)
    assert plans[ClockKind.ON_SITE, 1].target_minutes == 240
    resolution = plans[ClockKind.RESOLUTION, 1]
    assert (resolution.counting, resolution.target_minutes) == (Counting.BUSINESS_HOURS, 1080)
    assert resolution.due_at == sh(11, 27, 10)  # 8 h on Wednesday, 9 h on Thursday, 1 h on Friday


def test_a_fault_on_a_holiday_gets_eight_hours_to_be_on_site() -> None:
    on_site = by_clock(plan_clocks(facts(sh(10, 2, 23, 30)), STANDARD_POLICY))[ClockKind.ON_SITE, 1]
    assert (on_site.target_minutes, on_site.day_type.value) == (480, "holiday")
    assert on_site.due_at == sh(10, 3, 7, 30)


def test_a_call_at_23_59_before_a_holiday_keeps_the_working_day_promise() -> None:
    """The day the notification falls on decides, not the day the deadline falls on."""
    on_site = by_clock(plan_clocks(facts(sh(9, 30, 23, 59)), STANDARD_POLICY))[ClockKind.ON_SITE, 1]
    assert (on_site.target_minutes, on_site.day_type.value) == (240, "working_day")
    assert on_site.due_at == sh(10, 1, 3, 59)
    after_midnight = by_clock(plan_clocks(facts(sh(10, 1, 0, 1)), STANDARD_POLICY))[ClockKind.ON_SITE, 1]
    assert (after_midnight.target_minutes, after_midnight.due_at) == (480, sh(10, 1, 8, 1))


def test_the_promise_is_not_monotonic_at_the_midnight_between_a_holiday_and_a_working_day() -> None:
    """Reported at 23:59 on a Sunday, due 07:59 Monday; reported two minutes later, due 04:01: the
    contract's own wording makes the later call due earlier. Worth knowing when reading reports."""
    sunday = by_clock(plan_clocks(facts(sh(11, 29, 23, 59)), STANDARD_POLICY))[ClockKind.ON_SITE, 1]
    monday = by_clock(plan_clocks(facts(sh(11, 30, 0, 1)), STANDARD_POLICY))[ClockKind.ON_SITE, 1]
    assert sunday.due_at is not None
    assert monday.due_at is not None
    assert monday.due_at < sunday.due_at


def test_a_critical_fault_gets_the_more_specific_resolution_target() -> None:
    resolution = by_clock(plan_clocks(facts(priority=Priority.CRITICAL), STANDARD_POLICY))[ClockKind.RESOLUTION, 1]
    assert resolution.target_minutes == 540


def test_a_complaint_gets_only_the_clocks_its_contract_names() -> None:
    plans = plan_clocks(facts(kind=ServiceKind.COMPLAINT), STANDARD_POLICY)
    assert [(p.clock, p.target_minutes) for p in plans] == [(ClockKind.RESPONSE, 30), (ClockKind.RESOLUTION, 540)]


def test_arrival_stops_the_on_site_clock_and_says_whether_it_was_in_time() -> None:
    in_time = by_clock(plan_clocks(facts(on_site_at=[sh(11, 25, 13, 59)]), STANDARD_POLICY))[ClockKind.ON_SITE, 1]
    late = by_clock(plan_clocks(facts(on_site_at=[sh(11, 25, 14, 1)]), STANDARD_POLICY))[ClockKind.ON_SITE, 1]
    assert (in_time.stopped_at, in_time.met) == (sh(11, 25, 13, 59), True)
    assert (late.stopped_at, late.met) == (sh(11, 25, 14, 1), False)


def test_accepting_the_ticket_answers_the_call() -> None:
    plans = by_clock(plan_clocks(facts(accepted_at=[sh(11, 25, 10, 20)]), STANDARD_POLICY))
    assert plans[ClockKind.RESPONSE, 1].stopped_at == sh(11, 25, 10, 20)
    assert plans[ClockKind.ON_SITE, 1].stopped_at is None


def test_waiting_for_the_customer_pauses_on_site_and_resolution_but_not_response() -> None:
    plans = by_clock(
        plan_clocks(
            facts(paused=[PauseFact("waiting_for_customer", sh(11, 25, 10, 10))], resumed_at=[sh(11, 25, 12, 10)]),
            STANDARD_POLICY,
        )
    )
    assert plans[ClockKind.RESPONSE, 1].due_at == sh(11, 25, 10, 30)
    assert plans[ClockKind.ON_SITE, 1].due_at == sh(11, 25, 16)
    assert plans[ClockKind.RESOLUTION, 1].due_at == sh(11, 27, 12)


def test_waiting_for_parts_pauses_only_the_resolution_and_an_open_pause_has_no_deadline() -> None:
    plans = by_clock(plan_clocks(facts(paused=[PauseFact("waiting_for_parts", sh(11, 25, 11))]), STANDARD_POLICY))
    assert plans[ClockKind.ON_SITE, 1].due_at == sh(11, 25, 14)
    assert plans[ClockKind.RESOLUTION, 1].due_at is None
    assert plans[ClockKind.RESOLUTION, 1].used(sh(11, 30)) == timedelta(hours=1)


def test_reopening_restarts_the_resolution_clock_in_a_new_cycle() -> None:
    plans = by_clock(
        plan_clocks(
            facts(resolved_at=[sh(11, 25, 15), sh(11, 30, 11)], reopened_at=[sh(11, 26, 9)]),
            STANDARD_POLICY,
        )
    )
    first, second = plans[ClockKind.RESOLUTION, 1], plans[ClockKind.RESOLUTION, 2]
    assert (first.stopped_at, first.met) == (sh(11, 25, 15), True)
    assert (second.started_at, second.stopped_at) == (sh(11, 26, 9), sh(11, 30, 11))
    assert second.due_at == sh(11, 27, 18)  # 18 business hours from Thursday 09:00
    assert second.met is False  # resolved again only on Monday
    assert plans[ClockKind.ON_SITE, 1].stopped_at == sh(11, 25, 15)  # resolved by phone: no visit owed


def test_closing_stops_every_clock_still_running() -> None:
    plans = plan_clocks(facts(closed_at=[sh(11, 25, 10, 5)]), STANDARD_POLICY)
    assert {p.stopped_at for p in plans} == {sh(11, 25, 10, 5)}
    assert all(p.met for p in plans)


LIFE = facts(
    accepted_at=[sh(11, 25, 10, 25)],
    on_site_at=[sh(11, 25, 13)],
    paused=[PauseFact("waiting_for_parts", sh(11, 25, 14)), PauseFact("waiting_for_customer", sh(11, 26, 9))],
    resumed_at=[sh(11, 25, 16), sh(11, 26, 15)],
    resolved_at=[sh(11, 26, 17), sh(11, 30, 12)],
    reopened_at=[sh(11, 27, 10)],
)


def _summary(plans: list[ClockPlan]) -> list[tuple[object, ...]]:
    return sorted((p.clock, p.cycle, p.started_at, p.due_at, p.stopped_at, p.met) for p in plans)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_facts_in_any_order_give_the_same_clocks(data: st.DataObject) -> None:
    """Redeliveries and competing consumers reorder events; the plan does not care."""
    fields = ["accepted_at", "on_site_at", "paused", "resumed_at", "resolved_at", "reopened_at"]
    shuffled: dict[str, Any] = {name: data.draw(st.permutations(getattr(LIFE, name))) for name in fields}
    assert _summary(plan_clocks(replace(LIFE, **shuffled), STANDARD_POLICY)) == _summary(
        plan_clocks(LIFE, STANDARD_POLICY)
    )


def test_an_arrival_known_before_the_opening_counts_once_the_opening_is_known() -> None:
    """The same facts, whichever came first, give the same stopped on-site clock."""
    on_site = by_clock(plan_clocks(facts(on_site_at=[sh(11, 25, 11)]), STANDARD_POLICY))[ClockKind.ON_SITE, 1]
    assert (on_site.stopped_at, on_site.met) == (sh(11, 25, 11), True)
