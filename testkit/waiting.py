"""Waiting on facts, not on the clock: `eventually` polls until something holds; `stays` watches that
something keeps holding while a duplicate or a late effect, if there were one, would show up; `settled`
waits until something has stopped changing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

QUIET_SECONDS = 1.0
"""How long a test watches for something that must not happen: a second event, a second effect.

Every path that could produce one ends in a publish well within this. A hop through a service (consume,
commit, relay woken by the commit, publish) takes under 100 ms at p99 on this machine
(bench/request_latency.py); a redelivered or racing copy of a message is consumed in the same breath;
a failed attempt comes back after the tests' 200 ms retry delay (`World.settings`). One second is
several times the longest of these, and short enough to spend in many tests.
"""


async def eventually(
    probe: Callable[[], Awaitable[T]], *, timeout: float = 10.0, interval: float = 0.05, what: str = ""
) -> T:
    """Poll `probe` until it returns something truthy without raising AssertionError; return that."""
    deadline = time.monotonic() + timeout
    last_error: AssertionError | None = None
    while True:
        try:
            result = await probe()
            if result:
                return result
        except AssertionError as error:
            last_error = error
        if time.monotonic() > deadline:
            message = f"not true within {timeout}s: {what or probe}"
            raise AssertionError(message) from last_error
        await asyncio.sleep(interval)


async def stays(
    probe: Callable[[], Awaitable[object]], *, seconds: float = QUIET_SECONDS, interval: float = 0.05, what: str = ""
) -> None:
    """Poll `probe` for `seconds` (the quiet period above); fail the moment it stops being truthy.

    The probe may raise AssertionError to say what changed; that error is the failure."""
    deadline = time.monotonic() + seconds
    while True:
        if not await probe():
            raise AssertionError(f"stopped being true within {seconds}s: {what or probe}")
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(interval)


async def settled(
    probe: Callable[[], Awaitable[list[T]]],
    *,
    quiet: float = QUIET_SECONDS,
    timeout: float = 10.0,
    interval: float = 0.05,
    what: str = "",
) -> list[T]:
    """Poll `probe` until it has returned the same non-empty list for `quiet` seconds; return that list."""
    deadline = time.monotonic() + timeout
    last: list[T] = []
    unchanged_since = time.monotonic()
    while True:
        now = time.monotonic()
        current = await probe()
        if current != last:
            last, unchanged_since = current, now
        elif last and now - unchanged_since >= quiet:
            return last
        if now > deadline:
            raise AssertionError(f"not settled within {timeout}s: {what or probe} (last: {len(last)} items)")
        await asyncio.sleep(interval)
