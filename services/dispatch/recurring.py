"""What dispatch does again and again, besides handling messages and requests: assigning the tickets
that wait for an engineer as soon as someone can take them, paging the next one when nobody accepts a
ticket in time (tickets/paging.py), marking follow-up calls not made in time
as missed, opening the inspection visits that fall due and flagging those overdue.

Whether anyone can take a waiting ticket changes with time (a shift starts at 08:30), with the roster
(a leave cancelled) and with load (an engineer resolves a ticket). So the worker in every dispatch
process looks again every `interval`, and at waiting tickets sooner whenever this process commits events
(a resolve, a close, an assignment by hand). Each look claims rows with `FOR UPDATE SKIP LOCKED` (and routes tickets
under their site's lock), so replicas never route one ticket twice or announce one miss twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import cast

from services.dispatch.followups.calls import expire_overdue
from services.dispatch.inspections.visits import flag_overdue, open_due_visits
from services.dispatch.settings import DispatchSettings
from services.dispatch.tickets.assignment import assign_waiting
from services.dispatch.tickets.paging import page_due
from shared.background import BackgroundLoop
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)

QUIET_AFTER_WAKE = timedelta(milliseconds=200)  # a burst of commits wakes it once


class RecurringWork(BackgroundLoop):
    task_name = "dispatch-recurring-work"

    def __init__(
        self,
        database: ServiceDatabase,
        *,
        interval: timedelta,
        batch_size: int = 50,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self._database = database
        self._interval = interval
        self._batch_size = batch_size
        self._now = now
        self._wake = asyncio.Event()
        database.on_events_committed(lambda _committed: self._wake.set())

    async def assign_due(self) -> int:
        """Route every waiting ticket that someone can now take; returns how many were assigned."""
        assigned = 0
        while True:
            async with self._database.unit_of_work() as uow:
                done = await assign_waiting(uow, now=self._now(), limit=self._batch_size)
            assigned += done
            if done < self._batch_size:
                return assigned

    async def page(self) -> int:
        """Take the steps of the paging chains that are due; returns how many chains were looked at."""
        return await self._in_batches(page_due)

    async def expire_due(self) -> int:
        """Mark every follow-up past due as missed; returns how many."""
        return await self._in_batches(expire_overdue)

    async def open_visits(self) -> int:
        """Open every inspection visit that has fallen due; returns how many."""
        return await self._in_batches(open_due_visits)

    async def flag_overdue_visits(self) -> int:
        return await self._in_batches(flag_overdue)

    async def _in_batches(self, work: Callable[..., Awaitable[int]]) -> int:
        total = 0
        while True:
            async with self._database.unit_of_work() as uow:
                done = await work(uow, now=self._now(), limit=self._batch_size)
            total += done
            if done < self._batch_size:
                return total

    def _interrupt(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        last_full_look = -math.inf
        while not self.stopping.is_set():
            self._wake.clear()
            try:
                # A commit may have freed an engineer for a waiting ticket or begun a paging chain (a
                # page cannot wait for the interval); visits and follow-ups fall due with time alone, so
                # they are looked at once an interval, not after every commit.
                done = {"waiting_tickets_assigned": await self.assign_due(), "paging_steps": await self.page()}
                if time.monotonic() - last_full_look >= self._interval.total_seconds():
                    last_full_look = time.monotonic()
                    done |= {
                        "visits_opened": await self.open_visits(),
                        "visits_overdue": await self.flag_overdue_visits(),
                        "follow_ups_missed": await self.expire_due(),
                    }
                if any(done.values()):
                    log.info("recurring work done", **done)
            except Exception as error:  # database unavailable: the rows wait in their tables
                log.warning("recurring work failed; trying again", error=str(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval.total_seconds())
            await asyncio.sleep(QUIET_AFTER_WAKE.total_seconds())


def recurring_work(database: ServiceDatabase, settings: ServiceSettings) -> RecurringWork:
    interval = cast(DispatchSettings, settings).recurring_interval_seconds
    return RecurringWork(database, interval=timedelta(seconds=interval))
