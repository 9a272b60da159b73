"""The business calendar on 2026's real Chinese calendar, and a contract's own exceptions."""

from datetime import date, timedelta

import pytest

from services.sla.domain.policy import STANDARD_POLICY
from shared.calendar import BusinessCalendar, DayType

CALENDAR = BusinessCalendar("CN")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 25), DayType.WORKING_DAY),  # a plain Wednesday
        (date(2026, 11, 28), DayType.HOLIDAY),  # a plain Saturday
        (date(2026, 1, 4), DayType.WORKING_DAY),  # Sunday, made up for the New Year holiday
        (date(2026, 2, 14), DayType.WORKING_DAY),  # Saturday, made up for the Spring Festival
        (date(2026, 2, 15), DayType.HOLIDAY),  # first day of the Spring Festival holiday
        (date(2026, 2, 17), DayType.HOLIDAY),  # Spring Festival, a Tuesday
        (date(2026, 2, 23), DayType.HOLIDAY),  # last day of it, a Monday
        (date(2026, 2, 24), DayType.WORKING_DAY),
        (date(2026, 2, 28), DayType.WORKING_DAY),  # Saturday, made up for it
        (date(2026, 9, 30), DayType.WORKING_DAY),  # the Wednesday before National Day
        (date(2026, 10, 1), DayType.HOLIDAY),  # National Day, a Thursday
        (date(2026, 10, 7), DayType.HOLIDAY),
        (date(2026, 10, 10), DayType.WORKING_DAY),  # Saturday, made up for National Day
    ],
)
def test_the_calendar_knows_chinas_holidays_and_make_up_working_days(day: date, expected: DayType) -> None:
    assert CALENDAR.day_type(day) is expected
    assert CALENDAR.is_working_day(day) is (expected is DayType.WORKING_DAY)


def test_a_contract_adds_its_own_days_off_and_working_days() -> None:
    closures = BusinessCalendar("CN", {date(2026, 11, 25): False, date(2026, 11, 28): True})
    assert not closures.is_working_day(date(2026, 11, 25))
    assert closures.is_working_day(date(2026, 11, 28))
    assert closures.is_working_day(date(2026, 11, 24))  # everything else as published


def test_a_contracts_exception_wins_over_the_published_calendar() -> None:
    """The State Council publishes a year's holidays late in the year before; until then, or for the
    customer's own closures, the contract's exceptions decide."""
    assert BusinessCalendar("CN").is_working_day(date(2026, 11, 25))
    assert not BusinessCalendar("CN", {date(2026, 11, 25): False}).is_working_day(date(2026, 11, 25))
    assert not BusinessCalendar("CN").is_working_day(date(2026, 10, 2))
    assert BusinessCalendar("CN", {date(2026, 10, 2): True}).is_working_day(date(2026, 10, 2))


def test_the_sites_calendar_the_others_hear_is_the_policys_own() -> None:
    """What `sla.site_calendar` tells dispatch and the vendor service counts the days as the policy does."""
    policy = STANDARD_POLICY.model_copy(
        update={"days_off": frozenset({date(2026, 11, 30)}), "working_days": frozenset({date(2026, 11, 28)})}
    )
    told = policy.site_calendar()
    assert (told.country, told.business_start, told.business_end) == (
        policy.calendar,
        policy.business_start,
        policy.business_end,
    )
    days = [date(2026, 11, 27) + timedelta(days=n) for n in range(7)]
    assert [told.business_calendar().is_working_day(d) for d in days] == [
        policy.business_calendar().is_working_day(d) for d in days
    ]
    assert [d.day for d in days if told.business_calendar().is_working_day(d)] == [27, 28, 1, 2, 3]
