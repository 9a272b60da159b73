"""A vendor partner's clocks on a case, without broker or database: which run for which reason, when
each is due under the agreement, and how each stops."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from services.sla.domain.vendor_clocks import plan_vendor_clocks, vendor_cases
from shared.calendar import SiteCalendar
from shared.contracts import (
    Agreement,
    VendorClock,
    VendorEscalationClosed,
    VendorEscalationProgressed,
    VendorEscalationSent,
)

AGREEMENT = Agreement(acknowledge_hours=4, on_site_hours=24, repair_working_days=2, replacement_days=5)
SENT_AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


def sent(reason: str, case: str = "VC-000007") -> VendorEscalationSent:
    return VendorEscalationSent(
        case_number=case,
        escalation_id="T-V1",
        ticket_id="T",
        partner="acme",
        reason=reason,
        site_code="HH138",
        timezone="Asia/Shanghai",
        asset_tag=None,
        agreement=AGREEMENT,
        agreement_version=3,
        sent_at=SENT_AT,
    )


def step(name: str, hours: float) -> VendorEscalationProgressed:
    return VendorEscalationProgressed(
        case_number="VC-000007", ticket_id="T", partner="acme", step=name, at=SENT_AT + timedelta(hours=hours)
    )


def closed(outcome: str, hours: float) -> VendorEscalationClosed:
    return VendorEscalationClosed(
        case_number="VC-000007",
        escalation_id="T-V1",
        ticket_id="T",
        partner="acme",
        outcome=outcome,
        closed_at=SENT_AT + timedelta(hours=hours),
    )


@pytest.mark.parametrize(
    ("reason", "clocks"),
    [
        ("repair", {VendorClock.ACKNOWLEDGE, VendorClock.REPAIR}),
        ("replacement", {VendorClock.ACKNOWLEDGE, VendorClock.REPLACEMENT}),
        ("vendor_visit", {VendorClock.ACKNOWLEDGE, VendorClock.ON_SITE}),
        ("technical_question", {VendorClock.ACKNOWLEDGE}),
    ],
)
def test_the_clocks_a_case_runs_depend_on_its_reason(reason: str, clocks: set[VendorClock]) -> None:
    plans = plan_vendor_clocks(vendor_cases([sent(reason)], [], []))
    assert {plan.clock for plan in plans} == clocks
    assert {plan.cycle for plan in plans} == {7}


def test_deadlines_follow_the_agreement_and_the_sites_working_days() -> None:
    plans = {plan.clock: plan for plan in plan_vendor_clocks(vendor_cases([sent("repair")], [], []))}
    assert plans[VendorClock.ACKNOWLEDGE].due_at == SENT_AT + timedelta(hours=4)
    # Two working days from a Friday: Monday and Tuesday, due at 18:00 Shanghai time on Tuesday.
    assert plans[VendorClock.REPAIR].due_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert plans[VendorClock.REPAIR].target == "2 working days"


def test_a_repair_deadline_skips_the_contracts_days_off_and_falls_at_its_end_of_day() -> None:
    closure = SiteCalendar(days_off=frozenset({date(2026, 11, 30)}), business_end=time(17, 30))
    case = sent("repair").model_copy(update={"calendar": closure})
    plans = {plan.clock: plan for plan in plan_vendor_clocks(vendor_cases([case], [], []))}
    # Monday is the customer's closure: Tuesday and Wednesday, due at 17:30 Shanghai time on Wednesday.
    assert plans[VendorClock.REPAIR].due_at == datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def test_a_case_keeps_the_deadline_the_partner_was_told() -> None:
    """The vendor service counted the partner's deadline on the calendar it had, and sent it with the
    case; a case sent without one was counted on China's calendar to 18:00 by an older vendor service.
    The ticket's policy may have another calendar since: the partner's clock keeps what was told."""
    told = SiteCalendar(days_off=frozenset({date(2026, 11, 30)}))
    with_calendar = sent("repair").model_copy(update={"calendar": told})
    [repair] = [p for p in plan_vendor_clocks(vendor_cases([with_calendar], [], [])) if p.clock == "repair"]
    assert repair.due_at == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # Wednesday 18:00, the Monday skipped
    [older] = [p for p in plan_vendor_clocks(vendor_cases([sent("repair")], [], [])) if p.clock == "repair"]
    assert older.due_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # on China's calendar: Monday counts


def test_a_clock_stops_at_its_step_and_one_the_case_outlived_is_cancelled() -> None:
    plans = {
        plan.clock: plan
        for plan in plan_vendor_clocks(
            vendor_cases([sent("repair")], [step("acknowledged", 5), step("acknowledged", 6)], [closed("declined", 8)]),
        )
    }
    acknowledge, repair = plans[VendorClock.ACKNOWLEDGE], plans[VendorClock.REPAIR]
    assert (acknowledge.stopped_at, acknowledge.met, acknowledge.cancelled) == (
        SENT_AT + timedelta(hours=5),
        False,
        False,
    )
    assert (repair.stopped_at, repair.cancelled) == (SENT_AT + timedelta(hours=8), True)
    fixed = plan_vendor_clocks(vendor_cases([sent("repair")], [step("acknowledged", 1)], [closed("fixed", 30)]))
    assert {(plan.clock, plan.met, plan.cancelled) for plan in fixed} == {
        (VendorClock.ACKNOWLEDGE, True, False),
        (VendorClock.REPAIR, True, False),
    }
