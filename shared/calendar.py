"""Working days on a country's official calendar, with a contract's own exceptions: the SLA service
counts business hours on it, dispatch plans follow-up calls and inspection visits on it, the vendor
partners' repair deadlines fall on it.

China's calendar is not "weekdays minus holidays": the State Council moves working days onto
weekends around the Spring Festival and National Day (2026-01-04, a Sunday, is a working day). The
`holidays` package publishes those make-up days, so no holiday table is typed in here. A contract
can add exceptions: a year the State Council has not announced yet, or the customer's own closures.

A site's calendar is the SLA policy's (the SLA service owns it); the other services hear it as
`sla.site_calendar` and rebuild it here (`SiteCalendar`), or use `FALLBACK_SITE_CALENDAR` until then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Annotated

import holidays
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator, model_validator

MAX_EXCEPTIONAL_DAYS = 1000
ExceptionalDays = Annotated[
    frozenset[date],
    PlainSerializer(sorted, return_type=list[date]),  # read back the same every time it is written
    Field(max_length=MAX_EXCEPTIONAL_DAYS),
]


class DayType(StrEnum):
    WORKING_DAY = "working_day"
    HOLIDAY = "holiday"


class BusinessCalendar:
    def __init__(self, country: str = "CN", overrides: Mapping[date, bool] | None = None) -> None:
        """`overrides` maps a date to True (a working day after all) or False (a day off after all)."""
        self.country = country
        self.overrides = MappingProxyType(dict(overrides or {}))
        _official_holidays(country)  # an unknown country fails here, not at the first question

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _officially_working(self.country, day)

    def day_type(self, day: date) -> DayType:
        return DayType.WORKING_DAY if self.is_working_day(day) else DayType.HOLIDAY

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        for _ in range(3660):  # a calendar with no working day in ten years is a configuration error
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day within ten years of {day}")

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)


@lru_cache(maxsize=16)
def _official_holidays(country: str) -> holidays.HolidayBase:
    """A country's holidays and make-up working days: worked out a year at a time when first asked, so
    one per process rather than one per calendar (the SLA service makes a calendar per event)."""
    return holidays.country_holidays(country)


@lru_cache(maxsize=65536)
def _officially_working(country: str, day: date) -> bool:
    return bool(_official_holidays(country).is_working_day(day))


@lru_cache(maxsize=16)
def calendar_of(country: str) -> BusinessCalendar:
    """A country's official calendar, without a contract's exceptions, made once per process."""
    return BusinessCalendar(country)


def check_known_country(country: str) -> str:
    """A country whose official calendar the `holidays` package knows, or ValueError saying what to give."""
    if country not in holidays.list_supported_countries():
        raise ValueError(f"no official calendar {country!r}: give a country code such as CN, HK, SG")
    return country


class SiteCalendar(BaseModel):
    """A site's working days and hours: its SLA policy's calendar, as the SLA service tells the others
    (`sla.site_calendar`). The one place a BusinessCalendar is built from a contract's exceptions."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    # Not shared.contracts' bounded types: the contracts import this module, not the other way round.
    country: str = Field(
        default="CN",
        max_length=3,
        description="Country whose official calendar applies (ISO 3166 code, e.g. CN, HK, SG).",
    )
    business_start: time = Field(default=time(9, 0), description="Start of the working day, site time.")
    business_end: time = Field(
        default=time(18, 0), description="End of the working day, site time: a deadline in working days falls due then."
    )
    working_days: ExceptionalDays = Field(
        default=frozenset(), description="Extra working days beyond the official calendar (make-up days)."
    )
    days_off: ExceptionalDays = Field(
        default=frozenset(), description="Extra days off beyond the official calendar (the customer's closures)."
    )

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        return check_known_country(value)

    @model_validator(mode="after")
    def _consistent(self) -> SiteCalendar:
        if self.business_end <= self.business_start:
            raise ValueError("business hours must end after they start")
        if self.working_days & self.days_off:
            raise ValueError(f"days both worked and off: {sorted(self.working_days & self.days_off)}")
        return self

    def business_calendar(self) -> BusinessCalendar:
        overrides = dict.fromkeys(self.working_days, True) | dict.fromkeys(self.days_off, False)
        return BusinessCalendar(self.country, overrides) if overrides else calendar_of(self.country)


FALLBACK_SITE_CALENDAR = SiteCalendar()
"""A site's calendar until its own is known: China's official calendar, working days ending at 18:00."""
