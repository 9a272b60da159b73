"""Registers drawn up when their period closes: every archive process looks, every `interval`, at each
site intake has described, and draws up the month and the quarter that have ended at the site since
(in the site's own time zone) if no one has yet. Drawing up takes the register's lock and looks again
under it, so a period gets one register whatever the number of archive processes. A site the archive
heard of only after a period ended gets no register of it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

from services.archive import registers
from services.archive.db import timeline
from services.archive.domain.periods import RegisterKind, last_closed
from services.archive.rendering import Renderer, renderer_for
from services.archive.settings import ArchiveSettings
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)

CALENDAR_KINDS = (RegisterKind.MONTHLY, RegisterKind.QUARTERLY)


class RegisterCalendar:
    def __init__(
        self,
        database: ServiceDatabase,
        renderer: Renderer,
        *,
        interval: timedelta,
        default_timezone: str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._database = database
        self._renderer = renderer
        self._interval = interval
        self._default_timezone = default_timezone
        self._now = now
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def draw_up_closed(self) -> list[str]:
        """Draw up every register whose period has closed and has none yet; returns their codes."""
        now = self._now()
        async with self._database.connect() as connection:
            sites = await timeline.sites_first_described(connection)
        drawn = []
        for site_code, first_heard in sorted(sites.items()):
            async with self._database.connect() as connection:
                described = await registers.site_described(connection, site_code)
            timezone = described.timezone if described else self._default_timezone
            for kind in CALENDAR_KINDS:
                period = last_closed(kind, now, timezone)
                if first_heard >= period.ends(timezone):
                    continue
                async with self._database.unit_of_work() as uow:
                    row = await registers.draw_up(
                        uow,
                        self._renderer,
                        site_code,
                        period,
                        default_timezone=self._default_timezone,
                        now=now,
                        only_if_missing=True,
                    )
                if row is not None:
                    log.info(
                        "register drawn up", site=site_code, kind=kind.value, period=period.label, code=row["code"]
                    )
                    drawn.append(row["code"])
        return drawn

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="archive-register-calendar")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.draw_up_closed()
            except Exception as error:  # database unavailable: the periods stay closed, looked at next time
                log.warning("drawing up closed registers failed; trying again", error=str(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval.total_seconds())


def register_calendar(database: ServiceDatabase, settings: ServiceSettings) -> RegisterCalendar:
    archive = cast(ArchiveSettings, settings)
    return RegisterCalendar(
        database,
        renderer_for(tuple(archive.font_paths)),
        interval=timedelta(seconds=archive.register_check_seconds),
        default_timezone=archive.default_timezone,
    )
