"""A ticket's clocks started together, as the SLA service announces them (`sla.clocks_started`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.contracts import ClockKind, Envelope, SlaClocksStarted, StartedClock, seal

TARGETS = {ClockKind.RESPONSE: 30, ClockKind.ON_SITE: 240, ClockKind.RESOLUTION: 1080}


def clocks_started(ticket_id: str, started_at: datetime | None = None) -> Envelope[SlaClocksStarted]:
    """An opened fault's response, on-site and resolution clocks, started at `started_at` (now)."""
    at = started_at or datetime.now(UTC)
    clocks = [
        StartedClock(
            clock=clock, started_at=at, due_at=at + timedelta(minutes=minutes), target_minutes=minutes,
            day_type="working_day", calendar="CN", policy="standard",
        )
        for clock, minutes in TARGETS.items()
    ]  # fmt: skip
    return seal(SlaClocksStarted(ticket_id=ticket_id, clocks=clocks), producer="sla", correlation_id=ticket_id)
