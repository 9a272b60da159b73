"""What dispatch does again and again, besides handling messages and requests: assigning the tickets
that wait for an engineer as soon as someone can take them, and marking follow-up calls not made in
time as missed.

Whether anyone can take a waiting ticket changes with time (a shift starts at 08:30), with the roster
(a leave cancelled) and with load (an engineer resolves a ticket). So the worker in every dispatch
process looks again every `interval`, and sooner whenever this process commits events (a resolve, a
close, an assignment by hand). Each look claims rows with `FOR UPDATE SKIP LOCKED` (and routes tickets
under their site's lock), so replicas never route one ticket twice or announce one miss twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.dispatch.assignment import assign_waiting
from services.dispatch.followups import expire_overdue
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase

log = get_logger(__name__)

QUIET_AFTER_WAKE = timedelta(milliseconds=200)  # a burst of commits wakes it once


class RecurringWork:
    def __init__(
        self,
        database: ServiceDatabase,
        *,
        interval: timedelta,
        batch_size: int = 50,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._database = database
        self._interval = interval
        self._batch_size = batch_size
        self._now = now
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        database.on_events_committed(self._wake.set)

    async def assign_due(self) -> int:
        """Route every waiting ticket that someone can now take; returns how many were assigned."""
        assigned = 0
        while True:
            async with self._database.unit_of_work() as uow:
                done = await assign_waiting(uow, now=self._now(), limit=self._batch_size)
            assigned += done
            if done < self._batch_size:
                return assigned

    async def expire_due(self) -> int:
        """Mark every follow-up past due as missed; returns how many."""
        expired = 0
        while True:
            async with self._database.unit_of_work() as uow:
                done = await expire_overdue(uow, now=self._now(), limit=self._batch_size)
            expired += done
            if done < self._batch_size:
                return expired

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="dispatch-recurring-work")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                assigned, missed = await self.assign_due(), await self.expire_due()
                if assigned or missed:
                    log.info("recurring work done", waiting_tickets_assigned=assigned, follow_ups_missed=missed)
            except Exception as error:  # database unavailable: the rows wait in their tables
                log.warning("recurring work failed; trying again", error=str(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval.total_seconds())
            await asyncio.sleep(QUIET_AFTER_WAKE.total_seconds())
