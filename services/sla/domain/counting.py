"""How much of a target a clock has used, and when it runs out.

Two ways of counting: wall-clock time (the 7x24 hotline, the on-site promise) and business hours
(e.g. 09:00-18:00 on working days, in the site's time zone). Pauses (waiting for the customer or for
parts) never count. Everything here is a pure function of moments in time.

A clock counts in *active spans*: the stretches of time that count, in order. Wall-clock time is
one endless span; business hours are one span per working day. Pauses are cut out of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.calendar import BusinessCalendar

FOREVER = datetime.max.replace(tzinfo=UTC)
MAX_DAYS_SEARCHED = 3660  # a calendar with no working day in ten years is a configuration error


class Counting(StrEnum):
    WALL_CLOCK = "wall_clock"
    BUSINESS_HOURS = "business_hours"


@dataclass(frozen=True)
class Pause:
    """A stretch during which the clock does not count; `until` is None while it lasts."""

    since: datetime
    until: datetime | None = None


@dataclass(frozen=True)
class Timeline:
    """What counts for one clock: how, on which calendar, in which time zone, minus which pauses."""

    counting: Counting
    calendar: BusinessCalendar
    timezone: str
    business_start: time = time(9, 0)
    business_end: time = time(18, 0)
    pauses: Sequence[Pause] = ()

    def spans(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Active spans from `start` on, pauses cut out, in order, in UTC.

        In UTC because adding hours to a time in a zone with daylight saving counts wall-clock hours.
        """
        pauses = sorted(
            (Pause(_utc(p.since), _utc(p.until) if p.until else None) for p in self.pauses), key=lambda p: p.since
        )
        yield from _without_pauses(self._base_spans(_utc(start)), pauses)

    def counted(self, start: datetime, end: datetime) -> timedelta:
        """Time that counts between `start` and `end`."""
        end = _utc(end)
        total = timedelta(0)
        for span_start, span_end in self.spans(start):
            if span_start >= end:
                break
            total += min(span_end, end) - span_start
        return total

    def deadline(self, start: datetime, target: timedelta) -> datetime | None:
        """The moment `target` of counting time has passed since `start`; None while a pause that
        started before then has not ended (the deadline is unknown until it does)."""
        left = target
        for span_start, span_end in self.spans(start):
            if span_end == FOREVER and span_start == FOREVER:
                return None
            if span_end - span_start >= left:
                return span_start + left
            left -= span_end - span_start
        return None

    def _base_spans(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        if self.counting is Counting.WALL_CLOCK:
            yield start, FOREVER
            return
        zone = ZoneInfo(self.timezone)
        day = start.astimezone(zone).date()
        for _ in range(MAX_DAYS_SEARCHED):
            if self.calendar.is_working_day(day):
                opens = _utc(datetime.combine(day, self.business_start, zone))
                closes = _utc(datetime.combine(day, self.business_end, zone))
                if closes > start:
                    yield max(opens, start), closes
            day += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_DAYS_SEARCHED} days of {start.isoformat()}")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _without_pauses(
    spans: Iterator[tuple[datetime, datetime]], pauses: Sequence[Pause]
) -> Iterator[tuple[datetime, datetime]]:
    for span_start, span_end in spans:
        cursor = span_start
        for pause in pauses:
            until = pause.until or FOREVER
            if until <= cursor or pause.since >= span_end:
                continue
            if pause.since > cursor:
                yield cursor, pause.since
            cursor = max(cursor, until)
            if cursor >= span_end:
                break
        if cursor >= FOREVER:
            yield FOREVER, FOREVER  # an open pause: nothing counts from here on
            return
        if cursor < span_end:
            yield cursor, span_end
