"""The sites someone subscribed to, kept in each webhooks process: every event on `aftercare.events`
reaches the webhooks, most of sites that subscribed nothing, and asking the database about each cost a
quarter of the process's time (docs/performance). Each process keeps its own copy, renewed by a
connection of its own that LISTENs to `webhooks_subscriptions`, which a trigger notifies whenever a
statement adds, changes or removes subscriptions (migration 0003, which says why NOTIFY is fine there).

Nothing is missed: the process listens before it reads the whole set, reads it again when told of a
change and every `subscriptions_reread_seconds`, and forgets it the moment the connection is lost (then
reconnects, listens and reads again). While the set is not known, or a change was heard of and not yet
read, the webhooks ask the database for each event as before (`event_types` answers None), and the
process is not ready (`running`: the readiness check's `workers`)."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any, cast

import asyncpg

from services.webhooks.db import repository
from services.webhooks.settings import WebhooksSettings
from shared.background import BackgroundLoop
from shared.logs import get_logger
from shared.persistence.database import asyncpg_dsn
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)

CHANNEL = "webhooks_subscriptions"  # what the trigger of migration 0003 notifies
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 5.0


class SubscribedSites(BackgroundLoop):
    task_name = "webhook subscriptions listener"

    def __init__(self, dsn: str, reread_seconds: float, reconnect_seconds: float) -> None:
        super().__init__()
        self._dsn = dsn
        self._reread_seconds = reread_seconds
        self._reconnect_seconds = reconnect_seconds
        self._sites: dict[str, list[list[str]]] | None = None  # site -> each subscription's types; None: unknown
        self._changes = 0  # changes heard of: notifications, and this process's own commits (`changed`)
        self._read_upto = -1  # the changes the set in hand was read after
        self._wake = asyncio.Event()
        self.readings = 0
        """How many times the set was read, for tests that watch it read again."""
        self.backend_pid: int | None = None
        """The listening connection's server process (a test terminates it)."""

    @property
    def running(self) -> bool:
        """Ready only while the set is known: listening, and read since the connection was made."""
        return super().running and self._sites is not None

    def event_types(self, site_code: str) -> list[list[str]] | None:
        """The event types each subscription of the site that takes events wants (an empty list: every
        type); None when that is not known this moment, for the caller to ask the database."""
        if self._sites is None or self._read_upto != self._changes:
            return None
        return self._sites.get(site_code, [])

    def nobody_subscribed(self) -> bool:
        """Known, this moment, that no subscription anywhere takes events."""
        return self._sites is not None and self._read_upto == self._changes and not self._sites

    def changed(self) -> None:
        """This process committed a change to subscriptions: not to be trusted until read again (its
        notification is on the way, but the next event may come first)."""
        self._changes += 1
        self._wake.set()

    async def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                await self._listen()
            except Exception as error:  # the database away, or the connection lost: asked per event meanwhile
                log.warning("the subscribed sites are not known; listening again", error=str(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=self._reconnect_seconds)

    async def _listen(self) -> None:
        connection = await asyncpg.connect(
            self._dsn, timeout=CONNECT_TIMEOUT_SECONDS, server_settings={"application_name": self.task_name}
        )
        try:
            connection.add_termination_listener(self._lost)
            await connection.add_listener(CHANNEL, self._heard)  # before reading, so no change falls between
            self.backend_pid = connection.get_server_pid()
            while not self.stopping.is_set():
                self._wake.clear()
                await self._read(connection)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._reread_seconds)
                if connection.is_closed():
                    raise ConnectionError("the listening connection was lost")
        finally:
            self._sites = None
            with contextlib.suppress(Exception):
                await connection.close(timeout=1.0)

    async def _read(self, connection: asyncpg.Connection) -> None:
        upto = self._changes  # a change heard of while reading may not be in what is read: read again then
        sites: dict[str, list[list[str]]] = {}
        for site_code, event_types in await connection.fetch(
            repository.EVERY_SITES_TYPES.sql, timeout=READ_TIMEOUT_SECONDS
        ):
            sites.setdefault(site_code, []).append(list(event_types))
        self._sites, self._read_upto = sites, upto
        self.readings += 1

    def _heard(self, *_: Any) -> None:
        self._changes += 1
        self._wake.set()

    def _lost(self, *_: Any) -> None:
        self._sites = None  # at once: notifications may be missed from here on
        self._wake.set()

    def _interrupt(self) -> None:
        self._wake.set()


# The kernel asks `concerns` with the process's database alone (shared/messaging/consumer.py), so each
# process's copy is found by its database.
_OF_PROCESS: weakref.WeakKeyDictionary[ServiceDatabase, SubscribedSites] = weakref.WeakKeyDictionary()


def subscribed_sites(database: ServiceDatabase, settings: ServiceSettings) -> SubscribedSites:
    """The process's worker (app.py)."""
    webhooks = cast(WebhooksSettings, settings)
    sites = SubscribedSites(
        asyncpg_dsn(webhooks.database_url), webhooks.subscriptions_reread_seconds, webhooks.listen_again_seconds
    )
    _OF_PROCESS[database] = sites
    return sites


def of(database: ServiceDatabase) -> SubscribedSites | None:
    """The process's copy, if it keeps one (a runtime made for one handler's test does not start it)."""
    return _OF_PROCESS.get(database)


def changed_here(database: ServiceDatabase) -> None:
    """Tell the process's copy that its own commit changed subscriptions."""
    sites = of(database)
    if sites is not None:
        sites.changed()
