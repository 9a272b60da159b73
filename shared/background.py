"""A background loop of a service besides its consumers (the SLA timers, dispatch's recurring work,
the archive's register calendar): started with the process, stopped with it, its loop told to stop
through `stopping`."""

from __future__ import annotations

import asyncio


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
