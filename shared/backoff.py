"""When a failed delivery (a webhook, a notification to a person) is tried again: soon at first, then
less and less often, until it is given up."""

from __future__ import annotations

from datetime import datetime, timedelta

BACKOFF = (
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
)


def next_attempt(attempts: int, first_tried_at: datetime, now: datetime, give_up_after: timedelta) -> datetime | None:
    """After `attempts` failed tries, when to try again; None once `give_up_after` has passed since the first."""
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts > 0 else timedelta(0)
    at = now + wait
    return None if at - first_tried_at > give_up_after else at
