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
from shared.background import BackgroundLoop
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)

CALENDAR_KINDS = (RegisterKind.MONTHLY, RegisterKind.QUARTERLY)


class RegisterCalendar(BackgroundLoop):
    task_name = "archive-register-calendar"

    def __init__(
        self,
        database: ServiceDatabase,
        renderer: Renderer,
        *,
        interval: timedelta,
        default_timezone: str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self._database = database
        self._renderer = renderer
        self._interval = interval
        self._default_timezone = default_timezone
        self._now = now

    async def draw_up_closed(self) -> list[str]:
        """Draw up every register whose period has closed and that was not drawn up since (a draft of a
        running period is drawn up again, whole); returns their codes."""
        now = self._now()
        async with self._database.connect() as connection:
            sites = await timeline.sites_first_described(connection)
        drawn = []
        for site_code, first_heard in sorted(sites.items()):
            try:
                drawn += await self._draw_up_site(site_code, first_heard, now)
            except Exception:  # one site's failure (a form that will not typeset) leaves the others theirs
                log.exception("drawing up a site's registers failed; trying again next time", site=site_code)
        return drawn

    async def _draw_up_site(self, site_code: str, first_heard: datetime, now: datetime) -> list[str]:
        async with self._database.connect() as connection:
            described = await registers.site_described(connection, site_code)
        timezone = described.timezone if described else self._default_timezone
        drawn = []
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
                    at_close=True,
                )
            if row is not None:
                log.info("register drawn up", site=site_code, kind=kind.value, period=period.label, code=row["code"])
                drawn.append(row["code"])
        return drawn

    async def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                await self.draw_up_closed()
            except Exception as error:  # database unavailable: the periods stay closed, looked at next time
                log.warning("drawing up closed registers failed; trying again", error=str(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=self._interval.total_seconds())


def register_calendar(database: ServiceDatabase, settings: ServiceSettings) -> RegisterCalendar:
    archive = cast(ArchiveSettings, settings)
    return RegisterCalendar(
        database,
        renderer_for(tuple(archive.font_paths)),
        interval=timedelta(seconds=archive.register_check_seconds),
        default_timezone=archive.default_timezone,
    )
