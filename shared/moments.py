"""Moments people report from the field (a call's time, an arrival on site), checked against the
service's own clock."""

from __future__ import annotations

from datetime import datetime, timedelta

CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of the service's clock a reported moment may be: a phone's clock runs a little fast,
and a report a few minutes ahead is that, not a mistake."""


def in_the_future(moment: datetime, now: datetime) -> bool:
    """Whether `moment` lies ahead of `now` by more than a clock's usual skew."""
    return moment > now + CLOCK_SKEW
