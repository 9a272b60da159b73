"""Events of the SLA service's clocks."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import Event


class ClockKind(StrEnum):
    RESPONSE = "response"
    ON_SITE = "on_site"
    RESOLUTION = "resolution"


class SlaClockStarted(Event):
    """A service-level clock runs for a ticket; it is due at `due_at`."""

    message_type: ClassVar[str] = "sla.clock_started"

    ticket_id: str
    clock: ClockKind
    started_at: AwareDatetime = Field(description="The notification time the clock counts from.")
    due_at: AwareDatetime
    target_minutes: int = Field(gt=0)
    day_type: str = Field(description="working_day or holiday, on the contract's calendar, at started_at.")
    calendar: str = Field(description="Calendar the target was computed on, e.g. CN.")
