"""The rules after the work, without broker or database: when the follow-up call is due, what the
customer's answer decides, review periods, and who may handle a quality case."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.dispatch.followups.domain.followup import (
    Call,
    CallRefused,
    Outcome,
    desk_for,
    due_at,
    outcome_of,
    reopening_reason,
)
from services.dispatch.followups.domain.review import period_end, period_of
from services.dispatch.quality.domain import (
    Case,
    CaseRefused,
    CaseStatus,
    EscalatedTo,
    Severity,
    check_owner,
    default_escalation,
)
from shared.calendar import BusinessCalendar
from shared.contracts import ServiceKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
CN = BusinessCalendar("CN")


@pytest.mark.parametrize(
    ("resolved", "due"),
    [
        (datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI), datetime(2026, 11, 26, 15, 0, tzinfo=SHANGHAI)),  # Wed -> Thu
        (datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI), datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI)),  # Fri -> Mon
        (datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)),  # Sat -> Mon
        (datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI), datetime(2026, 10, 8, 17, 0, tzinfo=SHANGHAI)),  # National Day
        (
            datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI),
            datetime(2026, 10, 10, 17, 0, tzinfo=SHANGHAI),
        ),  # make-up Saturday
    ],
    ids=["weekday", "friday", "weekend", "national-day", "make-up-saturday"],
)
def test_the_follow_up_is_due_one_working_day_later_on_the_sites_calendar(resolved: datetime, due: datetime) -> None:
    assert due_at(resolved.astimezone(UTC), "Asia/Shanghai", CN) == due


@pytest.mark.parametrize(
    ("resolved", "due"),
    [
        (datetime(2026, 11, 25, 2, 24, tzinfo=SHANGHAI), datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)),  # night
        (datetime(2026, 11, 25, 21, 40, tzinfo=SHANGHAI), datetime(2026, 11, 26, 18, 0, tzinfo=SHANGHAI)),  # evening
        (datetime(2026, 11, 27, 23, 59, tzinfo=SHANGHAI), datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)),  # Fri late
    ],
    ids=["night", "evening", "friday-night"],
)
def test_the_follow_up_falls_due_inside_the_sites_business_hours(resolved: datetime, due: datetime) -> None:
    assert due_at(resolved.astimezone(UTC), "Asia/Shanghai", CN, opens=time(9, 0), closes=time(18, 0)) == due
    late_office = due_at(resolved.astimezone(UTC), "Asia/Shanghai", CN, opens=time(10, 0), closes=time(22, 0))
    assert time(10, 0) <= late_office.astimezone(SHANGHAI).time() <= time(22, 0)


@pytest.mark.parametrize(
    ("call", "attempt", "expected"),
    [
        (Call(True, 5, None), 1, Outcome.SATISFIED),
        (Call(True, 3, "ok"), 1, Outcome.SATISFIED),
        (Call(True, 2, "still crackling"), 1, Outcome.DISSATISFIED),
        (Call(True, 1, None), 3, Outcome.DISSATISFIED),
        (Call(False, None, "voicemail"), 1, Outcome.TRY_AGAIN),
        (Call(False, None, None), 3, Outcome.UNREACHED),
    ],
)
def test_what_the_customers_answer_decides(call: Call, attempt: int, expected: Outcome) -> None:
    assert outcome_of(call, attempt, attempts_allowed=3) is expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (Call(True, None, None), "record their satisfaction"),
        (Call(False, 4, None), "not reached"),
        (Call(True, 6, None), r"1 \(very dissatisfied\) to 5"),
    ],
)
def test_a_call_that_makes_no_sense_is_refused(call: Call, message: str) -> None:
    with pytest.raises(CallRefused, match=message):
        outcome_of(call, 1, 3)


def test_the_customers_words_reopen_the_ticket_and_the_quality_desk_calls_about_complaints() -> None:
    assert reopening_reason(Call(True, 2, " Still crackling in zone B ")) == (
        "follow-up call, satisfaction 2/5: Still crackling in zone B"
    )
    assert (desk_for(ServiceKind.COMPLAINT), desk_for(ServiceKind.FAULT)) == ("quality", "service_manager")


def test_review_periods_are_quarters_or_months_in_site_time() -> None:
    new_year_in_shanghai = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert period_of(new_year_in_shanghai, "Asia/Shanghai", 3) == "2027-Q1"
    assert period_of(new_year_in_shanghai, "Asia/Shanghai", 1) == "2027-M01"
    assert (period_end("2026-Q4"), period_end("2026-M02"), period_end("2026-Q1")) == (
        date(2026, 12, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    )


def test_a_complaint_is_never_handled_by_the_engineer_it_is_about() -> None:
    case = Case(7, CaseStatus.OPEN, subject_engineer_id="E02", owner=None)
    with pytest.raises(CaseRefused, match="about E02"):
        check_owner(case, "E02")
    check_owner(case, "Q01")
    assert default_escalation(Severity.CRITICAL) is EscalatedTo.GENERAL_MANAGER
    assert default_escalation(Severity.MEDIUM) is EscalatedTo.SERVICE_MANAGER
