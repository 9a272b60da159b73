"""Live updates for the pages: a private queue of the console process on `aftercare.events` takes a
copy of every event, and each open page (a server-sent event stream) is told which ticket moved.

Each console replica has its own queue, since each serves its own browsers; the queue goes with the
process. A page that misses an event while reconnecting loses nothing: it reloads what it shows."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from shared.contracts.visibility import customer_view
from shared.logs import get_logger
from shared.messaging import nodes
from shared.messaging.topology import declare_tap
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)

QUEUE_PREFIX = "console.live."
PAGE_BACKLOG = 100  # events a slow page may fall behind by before it misses some (it then reloads)
RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 1.0, 30.0


@dataclass(frozen=True)
class Moved:
    """Something happened to a ticket (or a site): what the pages refresh on."""

    event_type: str
    ticket_id: str | None
    site_code: str | None
    customer_sees: bool = False  # whether the site's customer may see this event (shared/contracts/visibility.py)

    @classmethod
    def of(cls, event_type: str, payload: dict[str, Any]) -> Moved:
        ticket_id = payload.get("ticket_id")
        site_code = payload.get("site_code") or (ticket_id.split("-", 1)[0] if isinstance(ticket_id, str) else None)
        seen = customer_view(event_type, payload) is not None  # an internal note is the staff's alone
        return cls(event_type, ticket_id if isinstance(ticket_id, str) else None, site_code, seen)


class LiveFeed:
    def __init__(self, amqp_url: str) -> None:
        self._amqp_url = amqp_url
        self._pages: set[asyncio.Queue[Moved]] = set()
        self._connection: AbstractRobustConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._queue_name: str | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="console live feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already gone: nothing to close
                await self._connection.close()
        self._task = self._connection = self._queue_name = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def queue_name(self) -> str | None:
        """The process's private queue, once it consumes from it."""
        return self._queue_name

    @contextlib.asynccontextmanager
    async def watch(self) -> AsyncIterator[asyncio.Queue[Moved]]:
        """What moves from now on, for one page, while it is open."""
        page: asyncio.Queue[Moved] = asyncio.Queue(maxsize=PAGE_BACKLOG)
        self._pages.add(page)
        try:
            yield page
        finally:
            self._pages.discard(page)

    def tell(self, moved: Moved) -> None:
        for page in list(self._pages):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled page misses it, not the others
                page.put_nowait(moved)

    async def _listen(self) -> None:
        """Consume until cancelled. Once connected, aio-pika's robust connection reconnects by itself
        and declares the queue again; until the first connection, keep trying."""
        delay = RETRY_FIRST_SECONDS
        while self._connection is None:
            try:
                self._connection = await nodes.connect_robust(
                    self._amqp_url, client_properties={"connection_name": "console live feed"}
                )
            except (OSError, aio_pika.exceptions.AMQPError) as error:
                log.warning("live feed cannot reach the broker; trying again", error=str(error), in_seconds=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=200)
        queue = await declare_tap(channel, "#", name=f"{QUEUE_PREFIX}{uuid.uuid4()}")
        await queue.consume(self._on_message, no_ack=True)
        self._queue_name = queue.name
        await asyncio.Future()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event = json.loads(message.body)
            self.tell(Moved.of(str(event.get("type") or message.type), event.get("payload") or {}))
        except (ValueError, AttributeError) as unreadable:
            log.warning("live feed skipped an unreadable event", error=str(unreadable), type=message.type)


def live_feed(database: ServiceDatabase, settings: ServiceSettings) -> LiveFeed:
    return LiveFeed(settings.amqp_url)
