"""Events of the SLA service: its clocks, and each site's calendar (whose working days everyone counts on)."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.calendar import SiteCalendar
from shared.contracts.bounds import Code, Identifier, Name
from shared.contracts.envelope import Event


class ClockKind(StrEnum):
    RESPONSE = "response"
    ON_SITE = "on_site"
    RESOLUTION = "resolution"


class SlaClockStarted(Event):
    """A service-level clock runs for a ticket; it is due at `due_at`. No longer published by the SLA
    service (it announces `sla.clocks_started`); the webhooks service still delivers it, one per clock,
    to the receivers subscribed to it."""

    message_type: ClassVar[str] = "sla.clock_started"

    ticket_id: Identifier
    clock: ClockKind
    started_at: AwareDatetime = Field(description="The notification time the clock counts from.")
    due_at: AwareDatetime
    target_minutes: int = Field(gt=0)
    day_type: Code = Field(description="working_day or holiday, on the contract's calendar, at started_at.")
    calendar: Code = Field(description="Calendar the target was computed on, e.g. CN.")
    cycle: int = Field(default=1, ge=1, description="Counts up when a reopened ticket restarts the clock.")
    counting: Code = Field(default="wall_clock", description="wall_clock or business_hours.")
    policy: Code | None = Field(default=None, description="The contract's SLA policy the target comes from.")


class StartedClock(BaseModel):
    """One of the clocks a `sla.clocks_started` announces: what `sla.clock_started` says of it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    clock: ClockKind
    started_at: AwareDatetime = Field(description="The notification time the clock counts from.")
    due_at: AwareDatetime
    target_minutes: int = Field(gt=0)
    day_type: Code = Field(description="working_day or holiday, on the contract's calendar, at started_at.")
    calendar: Code = Field(description="Calendar the target was computed on, e.g. CN.")
    cycle: int = Field(default=1, ge=1, description="Counts up when a reopened ticket restarts the clock.")
    counting: Code = Field(default="wall_clock", description="wall_clock or business_hours.")
    policy: Code | None = Field(default=None, description="The contract's SLA policy the target comes from.")


class SlaClocksStarted(Event):
    """Service-level clocks that started together for a ticket (an opened ticket's response, on-site and
    resolution clocks; a reopened ticket's resolution clock alone): one event for them all, so that each
    consumer handles one message, not one per clock. The SLA service announces a ticket's own clocks
    starting with it only; `sla.clock_started`, one per clock, is what webhook receivers subscribed to
    before it still get, made from this one (`each_clock`)."""

    message_type: ClassVar[str] = "sla.clocks_started"

    ticket_id: Identifier
    clocks: list[StartedClock] = Field(min_length=1, max_length=200, description="In the order they started.")

    def each_clock(self) -> list[SlaClockStarted]:
        """The clocks one by one, as `sla.clock_started` announced them."""
        return [SlaClockStarted(ticket_id=self.ticket_id, **vars(clock)) for clock in self.clocks]


class SlaWarning(Event):
    """A clock has used up a warning share of its target (75% by default) and is still running."""

    message_type: ClassVar[str] = "sla.warning"

    ticket_id: Identifier
    clock: ClockKind
    cycle: int = Field(ge=1)
    fraction: float = Field(gt=0, lt=1, description="Share of the target used up, e.g. 0.75.")
    due_at: AwareDatetime
    remaining_minutes: float = Field(description="Counted minutes left at the warning.")
    warned_at: AwareDatetime


class SlaBreached(Event):
    """A clock passed its deadline without being stopped: the promise is broken."""

    message_type: ClassVar[str] = "sla.breached"

    ticket_id: Identifier
    clock: ClockKind
    cycle: int = Field(ge=1)
    due_at: AwareDatetime
    target_minutes: int = Field(gt=0)
    breached_at: AwareDatetime


class SlaClockChanged(Event):
    """A running clock's deadline moved (the ticket was paused, resumed, given another priority) or the
    clock no longer counts (the ticket was reclassified to a kind it does not apply to)."""

    message_type: ClassVar[str] = "sla.clock_changed"

    ticket_id: Identifier
    clock: ClockKind
    cycle: int = Field(ge=1)
    due_at: AwareDatetime | None = Field(description="The deadline now; none while the ticket is paused.")
    target_minutes: int = Field(gt=0)
    cancelled: bool = Field(default=False, description="True: the clock no longer counts, and has no deadline.")


class SlaMet(Event):
    """A clock was stopped in time."""

    message_type: ClassVar[str] = "sla.met"

    ticket_id: Identifier
    clock: ClockKind
    cycle: int = Field(ge=1)
    started_at: AwareDatetime
    stopped_at: AwareDatetime
    due_at: AwareDatetime
    target_minutes: int = Field(gt=0)
    elapsed_minutes: float = Field(description="Counted minutes used, pauses and off-hours excluded.")
    remaining_minutes: float = Field(description="Counted minutes that were left.")
    corrects_breach: bool = Field(
        default=False,
        description="True when a stop reported late shows that a clock announced as breached was in fact met.",
    )


class VendorClock(StrEnum):
    """A vendor partner's clocks on a case, from its agreement."""

    ACKNOWLEDGE = "acknowledge"
    ON_SITE = "on_site"
    REPAIR = "repair"
    REPLACEMENT = "replacement"


class SlaVendorClockStarted(Event):
    """A vendor partner's clock runs on a case, nested in the ticket."""

    message_type: ClassVar[str] = "sla.vendor_clock_started"

    ticket_id: Identifier
    case_number: Identifier
    partner: Code
    clock: VendorClock
    started_at: AwareDatetime
    due_at: AwareDatetime
    target: Name = Field(description="The agreement's promise, e.g. 4 hours or 5 working days.")


class SlaVendorWarning(Event):
    message_type: ClassVar[str] = "sla.vendor_warning"

    ticket_id: Identifier
    case_number: Identifier
    partner: Code
    clock: VendorClock
    fraction: float = Field(gt=0, lt=1)
    due_at: AwareDatetime
    warned_at: AwareDatetime


class SlaVendorBreached(Event):
    message_type: ClassVar[str] = "sla.vendor_breached"

    ticket_id: Identifier
    case_number: Identifier
    partner: Code
    clock: VendorClock
    due_at: AwareDatetime
    breached_at: AwareDatetime


class SlaVendorMet(Event):
    message_type: ClassVar[str] = "sla.vendor_met"

    ticket_id: Identifier
    case_number: Identifier
    partner: Code
    clock: VendorClock
    started_at: AwareDatetime
    stopped_at: AwareDatetime
    due_at: AwareDatetime
    corrects_breach: bool = False


class SiteCalendarSet(Event):
    """A site's calendar as its SLA policy now gives it: the working days and hours the other services
    count on (the follow-up call, the inspection window, a vendor partner's repair deadline). Published
    when the SLA service first knows the site, when the site is put under a policy, when that policy gets
    a new version, and when an operator republishes every site's calendar. Until a site's first one
    arrives, consumers count on shared.calendar's FALLBACK_SITE_CALENDAR (CN, working day ending 18:00)."""

    message_type: ClassVar[str] = "sla.site_calendar"

    site_code: Code = Field(description="The site whose calendar this is.")
    timezone: Code | None = Field(
        default=None,
        description="The site's IANA time zone (Asia/Shanghai) if the SLA service knows it; its days and hours are "
        "in it. Null when unknown: consumers count in the time zone they know the site by.",
    )
    calendar: SiteCalendar = Field(
        description="The official calendar's country, the business hours and the contract's extra working days and "
        "days off."
    )
    policy: Code = Field(description="The SLA policy the calendar comes from.")
    policy_version: int = Field(ge=1, description="The version of that policy.")
    revision: int = Field(
        ge=1,
        description="Counts up with each calendar published for the site: a consumer keeps only the highest, in "
        "whatever order they arrive.",
    )
    effective_at: AwareDatetime = Field(description="When the SLA service set this calendar for the site.")
