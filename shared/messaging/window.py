"""Group commit: the deliveries waiting on one queue are handled together, in one transaction.

Each message is checked on its own first (envelope, producer, contract: `QueueConsumer`); then it
waits here for a window. A window is every delivery waiting at that moment, up to `size`: one
transaction claims their ids in the inbox with one statement, runs their handlers one after another,
writes every outgoing message to the outbox with one statement and commits once; each delivery is then
acknowledged by its own consumer task. Under load one commit (one WAL flush, one wake of the relay)
serves many messages; alone, a message is a window of one and costs what it always did.

One failure stays alone. Handlers rarely fail, so a window runs without a savepoint per message (two
more round trips each); when a handler fails, the transaction is rolled back, the messages before it
are committed again as a window of their own, the failing message gets its error (retried or
dead-lettered by its consumer task, as ever) and the window goes on after it. A window whose
transaction fails for any other reason (a lost connection, a failed commit) is handled again one
message at a time, each in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import structlog

from shared.contracts.envelope import Envelope
from shared.logs import get_logger
from shared.messaging.metrics import KernelMetrics
from shared.messaging.outbox import OutgoingMessage
from shared.messaging.routes import Route
from shared.messaging.unit_of_work import Delivery
from shared.persistence.service_database import ServiceDatabase

log = get_logger(__name__)


class Applied(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"


@dataclass
class Waiting:
    """A checked delivery waiting for its window; `done` gets its outcome or its handler's error."""

    envelope: Envelope[Any]
    route: Route[Any]
    delivery: Delivery
    done: asyncio.Future[Applied] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def settle(self, outcome: Applied | BaseException) -> None:
        if self.done.done():  # its consumer gave up waiting (shutdown): the broker redelivers it
            return
        if isinstance(outcome, BaseException):
            self.done.set_exception(outcome)
        else:
            self.done.set_result(outcome)


class GroupCommit:
    """The windows of one queue in one process: `workers` of them may be open at once."""

    def __init__(
        self, queue: str, database: ServiceDatabase, metrics: KernelMetrics, *, size: int, workers: int
    ) -> None:
        self._queue = queue
        self._database = database
        self._metrics = metrics
        self._size = size
        self._workers = workers
        self._waiting: asyncio.Queue[Waiting] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def apply(self, envelope: Envelope[Any], route: Route[Any], delivery: Delivery) -> Applied:
        """Handle the message in the next window; raises what its handler raised."""
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"window:{self._queue}:{n}") for n in range(self._workers)
            ]
        waiting = Waiting(envelope, route, delivery)
        self._waiting.put_nowait(waiting)
        return await waiting.done

    async def stop(self) -> None:
        """Called once no delivery is in hand any more (the subscriber stopped)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _work(self) -> None:
        while True:
            window = [await self._waiting.get()]
            while len(window) < self._size and not self._waiting.empty():
                window.append(self._waiting.get_nowait())
            window = [waiting for waiting in window if not waiting.done.done()]
            if window:
                await self._commit(window)

    async def _commit(self, window: Sequence[Waiting]) -> None:
        while window:
            self._metrics.window_size.labels(self._queue).observe(len(window))
            try:
                outcomes = await self._in_one_transaction(window)
            except _HandlerFailed as failed:
                if failed.index:
                    await self._commit(window[: failed.index])
                window[failed.index].settle(failed.error)
                window = window[failed.index + 1 :]
                continue
            except Exception as error:
                if len(window) == 1:
                    window[0].settle(error)
                    return
                log.warning(
                    "a window failed as a whole; handling its messages one by one", size=len(window), error=str(error)
                )
                for waiting in window:
                    await self._commit([waiting])
                return
            except BaseException:  # cancelled mid-window: nothing committed; its deliveries are redelivered
                for waiting in window:
                    waiting.done.cancel()
                raise
            for waiting, outcome in zip(window, outcomes, strict=True):
                waiting.settle(outcome)
            return

    async def _in_one_transaction(self, window: Sequence[Waiting]) -> list[Applied]:
        database = self._database
        outcomes: list[Applied] = []
        outgoing: list[OutgoingMessage] = []
        async with database.engine.begin() as connection:
            claimed = await database.inbox.record_many(
                connection,
                consumer=self._queue,
                messages=[(w.envelope.message_id, w.envelope.type) for w in window],
            )
            for index, waiting in enumerate(window):
                message_id = waiting.envelope.message_id
                if message_id not in claimed:
                    outcomes.append(Applied.DUPLICATE)
                    continue
                claimed.discard(message_id)  # a second copy in the same window is a duplicate
                uow = database.unit_of_work_on(connection, waiting.envelope, waiting.delivery)
                with (
                    structlog.contextvars.bound_contextvars(
                        message_id=str(message_id),
                        correlation_id=waiting.envelope.correlation_id,
                        message_type=waiting.envelope.type,
                    ),
                    self._metrics.handler_seconds.labels(self._queue, waiting.envelope.type).time(),
                ):
                    try:
                        await waiting.route.handler(waiting.envelope, uow)
                    except Exception as error:
                        raise _HandlerFailed(index, error) from error
                outgoing.extend(uow.outgoing)
                outcomes.append(Applied.PROCESSED)
            await database.outbox.add(connection, outgoing)
        if outgoing:
            database.events_committed(outgoing)
        return outcomes


class _HandlerFailed(Exception):
    """The handler of the window's `index`th message raised `error`: the window's transaction is undone."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(str(error))
        self.index = index
        self.error = error
