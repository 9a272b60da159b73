"""A contract's service levels: which clocks run for which tickets, for how long, counted how.

A policy is a document the service manager edits through the API; every edit is a new version, and a
clock keeps the version it started under, so changing a contract never rewrites the past.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator, model_validator

from services.sla.domain.calendar import BusinessCalendar
from services.sla.domain.counting import Counting
from shared.contracts import ClockKind, Priority, ServiceKind

DEFAULT_POLICY = "standard"

# Sets read back the same every time they are written (stored documents, API answers, tests).
Kinds = Annotated[frozenset[ServiceKind], PlainSerializer(sorted, return_type=list[ServiceKind])]
Priorities = Annotated[frozenset[Priority], PlainSerializer(sorted, return_type=list[Priority])]
Clocks = Annotated[frozenset[ClockKind], PlainSerializer(sorted, return_type=list[ClockKind])]
Days = Annotated[frozenset[date], PlainSerializer(sorted, return_type=list[date])]


class Target(BaseModel):
    """How long a clock may run for the tickets it applies to (all kinds or priorities when empty)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clock: ClockKind
    minutes: int = Field(gt=0, description="The target in counted minutes.")
    non_working_day_minutes: int | None = Field(
        default=None,
        gt=0,
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

    name: str
    calendar: str = Field(default="CN", description="Country whose official calendar applies.")
    business_start: time = time(9, 0)
    business_end: time = time(18, 0)
    warn_at: tuple[float, ...] = Field(default=(0.75,), description="Shares of a target that raise sla.warning.")
    pauses: dict[str, Clocks] = Field(default_factory=dict, description="Pause reason -> the clocks it pauses.")
    working_days: Days = Field(default=frozenset(), description="Extra working days (make-up days).")
    days_off: Days = Field(default=frozenset(), description="Extra days off (the customer's closures).")
    targets: tuple[Target, ...]

    @field_validator("warn_at")
    @classmethod
    def _fractions(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < f < 1 for f in value):
            raise ValueError("warning shares lie strictly between 0 and 1, e.g. 0.75")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.business_end <= self.business_start:
            raise ValueError("business hours must end after they start")
        if self.working_days & self.days_off:
            raise ValueError(f"days both worked and off: {sorted(self.working_days & self.days_off)}")
        return self

    def target_for(self, clock: ClockKind, kind: ServiceKind, priority: Priority) -> Target | None:
        """The most specific target for this clock and ticket: kind and priority beat kind, which
        beats priority, which beats a target for all; None when the contract sets no such clock."""
        matching = [t for t in self.targets if t.clock is clock and t.applies_to(kind, priority)]
        return max(matching, key=lambda t: t.specificity, default=None)

    def pauses_clock(self, reason: str, clock: ClockKind) -> bool:
        return clock in self.pauses.get(reason, frozenset())

    def business_calendar(self) -> BusinessCalendar:
        overrides = dict.fromkeys(self.working_days, True) | dict.fromkeys(self.days_off, False)
        return BusinessCalendar(self.calendar, overrides)
