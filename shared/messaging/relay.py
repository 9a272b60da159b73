"""The outbox relay: a process's committed outbox rows, published.

A commit that wrote events wakes the relay of its own process at once (`ServiceDatabase` calls `wake`
after the commit). Handed the messages it committed, the relay publishes them as they are in memory and
stamps their rows with one statement outside any transaction: reading back rows the process has in hand
cost a transaction of four round trips on every wake. Rows the relay was not handed (a writer without
them says so), rows left by a failed publish, and whatever is unpublished when it starts are claimed
instead: unpublished rows locked `FOR UPDATE SKIP LOCKED`, so that replicas never claim the same row at
once, published, and stamped in that transaction. Every poll (a clock of its own, busy or not) claims
the rows older than it, which the process that wrote them would have sent by then: a process that died,
a command run elsewhere. Publishes go persistent with publisher confirms awaited together; only
confirmed rows are stamped. Delivery is at-least-once: a row published from memory and claimed by another
relay before its stamp goes twice, and consumers deduplicate on `message_id` (in a rolling upgrade from
a release whose relay claimed every row on every wake, that happens often until the upgrade ends).

Why not LISTEN/NOTIFY: a transaction that notifies takes a database-wide lock at commit, which
serialises the commits of every replica of every service; the writer is always in the same process
as a relay, so a local signal wakes it without that cost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.logs import get_logger
from shared.messaging.outbox import Outbox, OutgoingMessage, PendingMessage, Publish

log = get_logger(__name__)

HELD_BATCHES = 10
HELD_BYTES = 32 * 1024 * 1024
"""How many batches of committed messages, and how many bytes of them, the relay keeps in memory; past
either (the broker slow or away) it lets them go and claims their rows instead."""


class OutboxRelay:
    """Publishes a service's committed outbox rows; run one per process, any number per service."""

    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Outbox,
        publish: Publish,
        *,
        batch_size: int = 200,
        poll_seconds: float = 5.0,
        linger_seconds: float = 0.003,
        on_published: Callable[[Sequence[PendingMessage]], None] | None = None,
    ) -> None:
        self._engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._outbox = outbox
        self._publish = publish
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        # Woken by a commit, the relay waits this long for the commits of the messages handled beside it,
        # so that under load one publish round and one stamp serve many rows.
        self._linger_seconds = linger_seconds
        self._on_published = on_published
        self._held: list[PendingMessage] = []  # committed by this process, not yet published
        self._held_bytes = 0
        self._claim = True  # rows it does not hold may be waiting: at start, whatever an earlier run left
        self._wake = asyncio.Event()
        self._stopping = False
        self._idle = False
        self._task: asyncio.Task[None] | None = None

    async def publish_pending(self, *, older_than: timedelta | None = None) -> int:
        """Publish every committed unpublished row (`older_than`: only rows written that long ago); returns
        how many were confirmed. Raises the first publish error after stamping what was confirmed before it."""
        total = 0
        while True:
            failure: BaseException | None = None
            async with self._engine.begin() as connection:
                batch = await self._outbox.claim(connection, self._batch_size, older_than=older_than)
                if not batch:
                    return total
                claimed = {pending.message.message_id for pending in batch}
                self._held = [held for held in self._held if held.message.message_id not in claimed]
                confirmed, failure = await self._publish_all(batch)
                await self._outbox.mark_published(connection, [p.id for p in confirmed])
            total += self._published(confirmed, failure)
            if len(batch) < self._batch_size:
                return total

    async def publish_held(self) -> int:
        """Publish the messages this process committed and handed over until now, then stamp their rows
        (those handed over meanwhile wait for the next round, so that a claim due comes in between)."""
        held, total = self._let_go(), 0
        for start in range(0, len(held), self._batch_size):
            batch = held[start : start + self._batch_size]
            confirmed, failure = await self._publish_all(batch)
            if failure is not None:  # their rows wait for a claim: the failed one and those after it
                self._claim = True
            try:
                async with self._autocommit.connect() as connection:
                    await self._outbox.mark_sent(connection, [p.message.message_id for p in confirmed])
            except BaseException:  # not stamped: claimed again (and sent twice, which consumers drop)
                self._claim = True
                raise
            total += self._published(confirmed, failure)
        return total

    def start(self) -> None:
        self._stopping = False
        self._claim = True
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay:{self._outbox.table.schema}")

    async def stop(self) -> None:
        """Finish the batch in hand, publish what is left once more, then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self.publish_held()
        with contextlib.suppress(Exception):  # whatever publish_held could not send, too
            await self.publish_pending()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def idle(self) -> bool:
        """Waiting for a commit to wake it (or for its poll), with nothing in hand."""
        return self._idle

    def wake(self, committed: Sequence[OutgoingMessage] | None = None) -> None:
        """Publish now: events were just committed, these (`committed`) or rows the caller does not have."""
        size = sum(len(message.body) for message in committed or ())
        if (
            committed is None
            or len(self._held) + len(committed) > HELD_BATCHES * self._batch_size
            or self._held_bytes + size > HELD_BYTES
        ):
            self._let_go()
            self._claim = True
        else:
            now = datetime.now(UTC)
            self._held.extend(PendingMessage(id=0, message=message, created_at=now) for message in committed)
            self._held_bytes += size
        self._wake.set()

    def _let_go(self) -> list[PendingMessage]:
        held, self._held, self._held_bytes = self._held, [], 0
        return held

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        backoff, next_poll = 0.1, loop.time() + self._poll_seconds
        while not self._stopping:
            self._wake.clear()
            try:
                await self.publish_held()
                if self._claim:  # rows it was not handed, or whose publish failed: all of them
                    self._claim = False
                    await self.publish_pending()
                elif loop.time() >= next_poll:  # rows another process wrote and did not send, if any
                    next_poll = loop.time() + self._poll_seconds
                    await self.publish_pending(older_than=timedelta(seconds=self._poll_seconds))
                backoff = 0.1
            except Exception as error:  # broker or database unavailable: keep the rows, try later
                log.warning("outbox publish failed; will retry", error=str(error), retry_in=backoff)
                self._let_go()
                self._claim = True
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._poll_seconds)
                continue
            if self._held or self._claim:  # handed over or failed while it published: go on at once
                continue
            self._idle = True
            woken = await self._sleep(max(0.0, next_poll - loop.time()))
            self._idle = False
            if woken and self._linger_seconds and not self._stopping:
                await asyncio.sleep(self._linger_seconds)

    async def _publish_all(self, batch: Sequence[PendingMessage]) -> tuple[list[PendingMessage], BaseException | None]:
        results = await asyncio.gather(*(self._publish(pending.message) for pending in batch), return_exceptions=True)
        confirmed = [p for p, r in zip(batch, results, strict=True) if not isinstance(r, BaseException)]
        return confirmed, next((r for r in results if isinstance(r, BaseException)), None)

    def _published(self, confirmed: list[PendingMessage], failure: BaseException | None) -> int:
        if self._on_published is not None:
            self._on_published(confirmed)
        if failure is not None:
            raise failure
        return len(confirmed)

    async def _sleep(self, seconds: float) -> bool:
        """Wait for a wake or `seconds`; whether it was woken."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
            return True
        return False
