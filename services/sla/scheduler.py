"""Firing the deadlines: warnings and breaches of clocks still running when their moment comes.

Timers are rows (`sla.timers`), so a restart loses none. Each tick claims the timers due by now,
earliest first, with `FOR UPDATE SKIP LOCKED`, and in the same transaction publishes their events
through the outbox and stamps them fired: any number of replicas can tick, and each timer fires
once. A tick reads only due timers from the front of a partial index, so its cost grows with what is
due, not with everything pending. A batch costs a statement per step whatever its size (claimed,
breaches recorded, events written to the outbox, stamped fired: `db.firing`), so that when thousands
fall due at once the scheduler spends its time on their events, not on round trips. Between ticks the
scheduler sleeps until the next due moment, but never longer than `tick`, since another replica may
have armed an earlier one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.sla import clock_actions
from services.sla.db import firing
from services.sla.domain.reconcile import fire
from shared.background import BackgroundLoop
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase

log = get_logger(__name__)

Now = Callable[[], datetime]


def system_now() -> datetime:
    return datetime.now(UTC)


# The least the scheduler waits between looks: timers falling due close together (hundreds a second when
# many tickets were opened at once) then fire together in one transaction, not one transaction each,
# which could not keep up; none fires more than this much later for it.
GATHER = timedelta(milliseconds=50)


class TimerScheduler(BackgroundLoop):
    task_name = "sla-timer-scheduler"

    def __init__(
        self,
        database: ServiceDatabase,
        *,
        now: Now = system_now,
        tick: timedelta = timedelta(milliseconds=500),
        batch_size: int = 500,
    ) -> None:
        super().__init__()
        self._database = database
        self._now = now
        self._tick = tick
        self._batch_size = batch_size

    async def fire_due(self) -> int:
        """Fire every timer due by now; returns how many fired."""
        fired = 0
        while True:
            async with self._database.unit_of_work() as uow:
                now = self._now()
                due = await firing.claim_due_timers(uow.connection, now, self._batch_size)
                await clock_actions.apply_fired(uow, [action for timer in due for action in fire(timer, now)])
                await firing.mark_fired(uow.connection, [timer.timer_id for timer in due], now)
            fired += len(due)
            if len(due) < self._batch_size:
                return fired

    async def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                await self.fire_due()
                async with self._database.connect() as connection:
                    next_due = await firing.next_due(connection)
            except Exception as error:  # database unavailable: the timers wait in their table
                log.warning("timer tick failed; trying again", error=str(error))
                next_due = None
            wait = self._tick.total_seconds()
            if next_due is not None:
                wait = min(wait, max(GATHER.total_seconds(), (next_due - self._now()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=wait)
