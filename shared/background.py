"""A background loop of a service besides its consumers (the SLA timers, dispatch's recurring work,
the archive's register calendar): started with the process, stopped with it, its loop told to stop
through `stopping`."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from shared.logs import get_logger

log = get_logger(__name__)


class BackgroundLoop:
    """Subclasses write `_run`, which returns once `self.stopping` is set; `_interrupt` wakes a loop that
    waits on something else."""

    task_name = "background-loop"

    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.stopping.clear()
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        self.stopping.set()
        self._interrupt()
        if self._task is not None:
            await self._task
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        raise NotImplementedError

    def _interrupt(self) -> None:
        """Wake the loop if it waits on something besides `stopping`."""


class OnceAtStart(BackgroundLoop):
    """Does its work once when the process starts (what an upgraded deployment must catch up on), tried
    again every `retry_seconds` while it fails (the database away), then idles until the process stops:
    a worker that ended would read as failed to the readiness check."""

    retry_seconds = 5.0

    async def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                await self._once()
            except Exception as error:
                log.warning("the work at start failed; trying again", loop=self.task_name, error=str(error))
            else:
                await self.stopping.wait()
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=self.retry_seconds)

    async def _once(self) -> None:
        raise NotImplementedError


class PollingLoop(BackgroundLoop):
    """Looks for work every `interval_seconds` until stopped (the webhooks' deliveries due, dispatch's
    notifications due). A failed look, the database away for a moment, is logged and tried on the next."""

    def __init__(self, interval_seconds: float) -> None:
        super().__init__()
        self.interval_seconds = interval_seconds

    async def _run(self) -> None:
        async with contextlib.AsyncExitStack() as resources:
            await self._open(resources)
            while not self.stopping.is_set():
                try:
                    await self.poll(datetime.now(UTC))
                except Exception as error:
                    log.warning("looking for work failed", loop=self.task_name, error=str(error))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), timeout=self.interval_seconds)

    async def _open(self, resources: contextlib.AsyncExitStack) -> None:
        """Open what the loop keeps while it runs (an HTTP client), closed when it stops."""

    async def poll(self, now: datetime) -> None:
        raise NotImplementedError
