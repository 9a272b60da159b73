"""A contract's service levels: which clocks run for which tickets, for how long, counted how.

A policy is a document the service manager edits through the API; every edit is a new version, and a
clock keeps the version it started under, so changing a contract never rewrites the past.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError, field_validator, model_validator

from services.sla.domain.counting import Counting
from shared.calendar import BusinessCalendar, ExceptionalDays, SiteCalendar, check_known_country
from shared.contracts import ClockKind, PauseReason, Priority, ServiceKind

DEFAULT_POLICY = "standard"
MAX_TARGET_MINUTES = 366 * 24 * 60
"""A year: no maintenance contract promises anything later, and a deadline must stay a date."""

# Sets read back the same every time they are written (stored documents, API answers, tests).
Kinds = Annotated[frozenset[ServiceKind], PlainSerializer(sorted, return_type=list[ServiceKind])]
Priorities = Annotated[frozenset[Priority], PlainSerializer(sorted, return_type=list[Priority])]
Clocks = Annotated[frozenset[ClockKind], PlainSerializer(sorted, return_type=list[ClockKind])]


class Target(BaseModel):
    """How long a clock may run for the tickets it applies to (all kinds or priorities when empty)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clock: ClockKind
    minutes: int = Field(gt=0, le=MAX_TARGET_MINUTES, description="The target in counted minutes (a year at most).")
    non_working_day_minutes: int | None = Field(
        default=None,
        gt=0,
        le=MAX_TARGET_MINUTES,
        description="The target instead when the clock starts on a weekend or holiday (the on-site 8 hours).",
    )
    counting: Counting = Counting.WALL_CLOCK
    kinds: Kinds = frozenset()
    priorities: Priorities = frozenset()

    def applies_to(self, kind: ServiceKind, priority: Priority) -> bool:
        return (not self.kinds or kind in self.kinds) and (not self.priorities or priority in self.priorities)

    @property
    def specificity(self) -> int:
        return 2 * bool(self.kinds) + bool(self.priorities)

    def duration(self, starts_on_working_day: bool) -> timedelta:
        minutes = self.minutes if starts_on_working_day else (self.non_working_day_minutes or self.minutes)
        return timedelta(minutes=minutes)


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    calendar: str = Field(
        default="CN", description="Country whose official calendar applies (ISO 3166 code the holidays package knows)."
    )
    business_start: time = time(9, 0)
    business_end: time = time(18, 0)
    warn_at: tuple[float, ...] = Field(
        default=(0.75,), max_length=10, description="Shares of a target that raise sla.warning."
    )
    pauses: dict[PauseReason, Clocks] = Field(default_factory=dict, description="Pause reason -> the clocks it pauses.")
    working_days: ExceptionalDays = Field(default=frozenset(), description="Extra working days (make-up days).")
    days_off: ExceptionalDays = Field(default=frozenset(), description="Extra days off (the customer's closures).")
    targets: tuple[Target, ...] = Field(min_length=1, max_length=100)

    @field_validator("business_start", "business_end")
    @classmethod
    def _local_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("business hours are the site's local times: give them without an offset, e.g. 09:00")
        return value

    @field_validator("calendar")
    @classmethod
    def _known_calendar(cls, value: str) -> str:
        return check_known_country(value)

    @field_validator("warn_at")
    @classmethod
    def _fractions(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < f < 1 for f in value):
            raise ValueError("warning shares lie strictly between 0 and 1, e.g. 0.75")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        """The policy's calendar keeps the rules every site calendar keeps (hours in order, no day both
        worked and off): a policy saved is one whose calendar can be told to the other services."""
        try:
            self.site_calendar()
        except ValidationError as error:
            raise ValueError("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())) from None
        return self

    def target_for(self, clock: ClockKind, kind: ServiceKind, priority: Priority) -> Target | None:
        """The most specific target for this clock and ticket: kind and priority beat kind, which
        beats priority, which beats a target for all; None when the contract sets no such clock."""
        matching = [t for t in self.targets if t.clock is clock and t.applies_to(kind, priority)]
        return max(matching, key=lambda t: t.specificity, default=None)

    def pauses_clock(self, reason: str, clock: ClockKind) -> bool:
        return reason in set(PauseReason) and clock in self.pauses.get(PauseReason(reason), frozenset())

    def site_calendar(self) -> SiteCalendar:
        """The calendar of every site under this policy: what the other services hear (`sla.site_calendar`)."""
        return SiteCalendar(
            country=self.calendar,
            business_start=self.business_start,
            business_end=self.business_end,
            working_days=self.working_days,
            days_off=self.days_off,
        )

    def business_calendar(self) -> BusinessCalendar:
        return self.site_calendar().business_calendar()


def _resolution(minutes: int, *kinds: ServiceKind, priority: Priority | None = None) -> Target:
    return Target(
        clock=ClockKind.RESOLUTION,
        minutes=minutes,
        counting=Counting.BUSINESS_HOURS,
        kinds=frozenset(kinds),
        priorities=frozenset({priority} if priority else ()),
    )


STANDARD_POLICY = Policy(
    name="Standard maintenance contract",
    pauses={
        "waiting_for_customer": frozenset({ClockKind.ON_SITE, ClockKind.RESOLUTION}),
        "waiting_for_parts": frozenset({ClockKind.RESOLUTION}),
        "waiting_for_vendor": frozenset({ClockKind.RESOLUTION}),
    },
    targets=(
        # The hotline answers within 30 minutes, 7x24.
        Target(clock=ClockKind.RESPONSE, minutes=30),
        # The maintenance plan's promise: on site within 4 hours of a failure reported on a working day,
        # 8 hours on a weekend or holiday.
        Target(
            clock=ClockKind.ON_SITE,
            minutes=240,
            non_working_day_minutes=480,
            kinds=frozenset({ServiceKind.FAULT, ServiceKind.WARRANTY_REPAIR}),
        ),
        # Where the plan says "solved promptly", in business hours: two working days for a fault, one when
        # critical; five for a repair or technical support; one to answer a complaint or a question.
        _resolution(1080, ServiceKind.FAULT),
        _resolution(540, ServiceKind.FAULT, priority=Priority.CRITICAL),
        _resolution(2700, ServiceKind.WARRANTY_REPAIR),
        _resolution(2700, ServiceKind.TECHNICAL_SUPPORT),
        _resolution(540, ServiceKind.COMPLAINT),
        _resolution(540, ServiceKind.CONSULTATION),
    ),
)
"""The contract every site is under until the service manager puts it under another (policy `standard`).
Migration 0002 stored it as version 1; a test keeps that frozen copy and this one equal."""
