"""When a failed delivery is tried again: soon at first, then less and less often, for a day; then it
is given up, and its subscriber paused."""

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
GIVE_UP_AFTER = timedelta(hours=24)


def next_attempt(
    attempts: int, first_tried_at: datetime, now: datetime, give_up_after: timedelta = GIVE_UP_AFTER
) -> datetime | None:
    """After `attempts` failed tries, when to try again; None once the day is over."""
    wait = BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts > 0 else timedelta(0)
    at = now + wait
    return None if at - first_tried_at > give_up_after else at
