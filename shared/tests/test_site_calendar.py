"""A site's calendar as the SLA service tells it (`sla.site_calendar`), rebuilt by the services that
count on it, without broker or database: the contract's exceptions, the fallback until one is told,
and what a calendar that makes no sense is refused for."""

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from shared.calendar import FALLBACK_SITE_CALENDAR, SiteCalendar, calendar_of
from shared.contracts import SiteCalendarSet

MONDAY = date(2026, 11, 30)
SATURDAY = date(2026, 11, 28)


def test_the_contracts_days_off_and_make_up_days_beat_the_official_calendar() -> None:
    calendar = SiteCalendar(days_off=frozenset({MONDAY}), working_days=frozenset({SATURDAY})).business_calendar()
    assert (calendar.is_working_day(MONDAY), calendar.is_working_day(SATURDAY)) == (False, True)
    assert calendar.next_working_day(date(2026, 11, 27)) == SATURDAY
    assert calendar.next_working_day(SATURDAY) == date(2026, 12, 1)


def test_until_a_site_has_a_calendar_it_is_chinas_with_the_working_day_ending_at_six() -> None:
    assert FALLBACK_SITE_CALENDAR.business_calendar() is calendar_of("CN")  # the process's one, no exceptions
    assert (FALLBACK_SITE_CALENDAR.country, FALLBACK_SITE_CALENDAR.business_end) == ("CN", time(18, 0))


def test_the_event_carries_the_calendar_and_consumers_rebuild_the_same_one() -> None:
    calendar = SiteCalendar(country="HK", business_end=time(17, 30), days_off=frozenset({MONDAY, SATURDAY}))
    told = SiteCalendarSet(
        site_code="HH138",
        timezone="Asia/Hong_Kong",
        calendar=calendar,
        policy="standard",
        policy_version=2,
        revision=7,
        effective_at=datetime(2026, 11, 27, 2, 0, tzinfo=UTC),
    )
    as_sent = told.model_dump(mode="json")
    assert as_sent["calendar"]["days_off"] == ["2026-11-28", "2026-11-30"]  # the same text every time
    assert SiteCalendarSet.model_validate(as_sent).calendar == calendar


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "XX"}, "no official calendar 'XX'"),
        ({"business_start": time(18, 0), "business_end": time(9, 0)}, "must end after they start"),
        ({"days_off": frozenset({MONDAY}), "working_days": frozenset({MONDAY})}, "days both worked and off"),
    ],
)
def test_a_calendar_that_makes_no_sense_is_refused(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SiteCalendar(**fields)
