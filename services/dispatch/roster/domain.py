"""Who is on duty when: each engineer's shifts, on-call periods and leave.

A duty period is a stretch of local time at a site (08:30 to 18:00), once or repeating by an RFC 5545
recurrence rule (`FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR`); it may run past midnight (on call 18:00 to
08:30 the next morning). Leave beats everything; a shift beats being on call. Whether an engineer is on
duty is decided at the moment a ticket needs them, from these periods, never from a stored flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr


class DutyKind(StrEnum):
    SHIFT = "shift"
    ON_CALL = "on_call"
    LEAVE = "leave"


class Duty(StrEnum):
    """Where an engineer stands at a moment."""

    ON_SHIFT = "on_shift"
    ON_CALL = "on_call"
    OFF = "off"
    ON_LEAVE = "on_leave"

    @property
    def reachable(self) -> bool:
        return self in (Duty.ON_SHIFT, Duty.ON_CALL)


@dataclass(frozen=True)
class Engineer:
    """An engineer as the roster has them at a moment: where they stand, and the open tickets they carry."""

    engineer_id: str
    name: str
    skills: frozenset[str]
    duty: Duty
    max_open_tickets: int
    open_tickets: int

    @property
    def has_room(self) -> bool:
        return self.open_tickets < self.max_open_tickets

    @property
    def available(self) -> bool:
        return self.duty.reachable and self.has_room


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class DutyPeriod:
    kind: DutyKind
    starts: datetime  # local wall time at the site, no time zone: the first occurrence
    ends: datetime
    timezone: str
    repeat: str | None = None  # an RFC 5545 RRULE; None: once

    def __post_init__(self) -> None:
        if self.starts.tzinfo is not None or self.ends.tzinfo is not None:
            raise InvalidPeriod("give the start and end in the site's local time, without a time zone")
        if self.ends <= self.starts:
            raise InvalidPeriod("a duty period ends after it starts")
        if self.repeat is not None:
            try:
                self._rule  # noqa: B018 (parse now, refuse a bad rule at once)
            except (ValueError, TypeError) as error:
                raise InvalidPeriod(f"not a recurrence rule: {self.repeat!r} ({error})") from error
            if self.ends - self.starts > _shortest_gap(self._rule):
                raise InvalidPeriod("each occurrence must end before the next one starts")

    @cached_property
    def _rule(self) -> rrule:
        rule = rrulestr(self.repeat or "", dtstart=self.starts, cache=True)
        assert isinstance(rule, rrule)
        return rule

    def covers(self, moment: datetime) -> bool:
        """Whether `moment` (any time zone) falls in one of the period's occurrences."""
        local = moment.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)
        if self.repeat is None:
            return self.starts <= local < self.ends
        began = self._rule.before(local, inc=True)
        return began is not None and local < began + (self.ends - self.starts)


@lru_cache(maxsize=4096)
def duty_period(kind: DutyKind, starts: datetime, ends: datetime, timezone: str, repeat: str | None) -> DutyPeriod:
    """The period with these terms, made once per process: its recurrence is parsed once, and the
    occurrences already found are kept, so a roster read for every ticket costs microseconds."""
    return DutyPeriod(kind, starts, ends, timezone, repeat)


def duty_at(periods: Iterable[DutyPeriod], moment: datetime) -> Duty:
    kinds = {period.kind for period in periods if period.covers(moment)}
    if DutyKind.LEAVE in kinds:
        return Duty.ON_LEAVE
    if DutyKind.SHIFT in kinds:
        return Duty.ON_SHIFT
    if DutyKind.ON_CALL in kinds:
        return Duty.ON_CALL
    return Duty.OFF


def _shortest_gap(rule: rrule) -> timedelta:
    """The shortest time between two consecutive occurrences, over the first few."""
    firsts = list(islice(rule, 60))
    return min((later - earlier for earlier, later in pairwise(firsts)), default=timedelta.max)
