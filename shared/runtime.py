"""Runs one service: its database, broker connection, consumers, outbox relay and HTTP API.

Start-up declares the topology before consuming, so no message is consumed from a queue whose
bindings or dead-letter route do not exist yet. Shutdown runs in the order that loses nothing:
consumers stop taking messages and finish the ones in hand (their events land in the outbox), the
relay publishes what is left, and only then does the broker connection close.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aio_pika.exceptions import AMQPConnectionError
from faststream.rabbit import Channel, RabbitBroker
from prometheus_client import CollectorRegistry
from sqlalchemy import text

from shared.logs import get_logger
from shared.messaging import nodes, topology
from shared.messaging.consumer import QueueConsumer
from shared.messaging.metrics import KernelMetrics
from shared.messaging.outbox import OutgoingMessage, PendingMessage
from shared.messaging.publisher import Publisher
from shared.messaging.relay import OutboxRelay
from shared.persistence.database import create_engine
from shared.service import ReportingWorker, ServiceDefinition, consumer_queues, database_of
from shared.settings import ServiceSettings

log = get_logger(__name__)

READINESS_TIMEOUT_SECONDS = 0.15
HOUSEKEEPING_INTERVAL_SECONDS = 300.0


class ServiceRuntime:
    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.settings = settings
        self.registry = CollectorRegistry()
        self.metrics = KernelMetrics(self.registry)
        self.engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        self.database = database_of(definition, self.engine)
        self.broker = RabbitBroker(
            nodes.node_urls(settings.amqp_url)[0],
            default_channel=Channel(prefetch_count=settings.prefetch, on_return_raises=True),
            graceful_timeout=settings.graceful_timeout_seconds,
            logger=logging.getLogger("faststream"),
            log_level=logging.DEBUG,
            apply_types=False,  # the kernel's consumer takes the message itself; see QueueConsumer
            app_id=definition.name,
        )
        nodes.use_cluster(self.broker, settings.amqp_url)
        self.publisher = Publisher(settings.amqp_url, name=definition.name)
        handlers = [subscription.handlers_for(settings) for subscription in definition.subscriptions]
        self.queues = consumer_queues(definition, settings)
        self.consumers = [
            QueueConsumer(
                queue=queue,
                handlers=queue_handlers,
                database=self.database,
                broker=self.broker,
                publisher=self.publisher,
                metrics=self.metrics,
                max_attempts=settings.max_attempts,
                retry_delay=timedelta(milliseconds=settings.retry_delay_ms),
                on_dead_letter=subscription.on_dead_letter,
                concerns=subscription.concerns,
                checks_producer=subscription.bind_events and subscription.exchange == topology.EVENTS_EXCHANGE,
                window_size=settings.window_size,
                windows=settings.windows,
            )
            for queue, queue_handlers, subscription in zip(self.queues, handlers, definition.subscriptions, strict=True)
        ]
        self.relay = OutboxRelay(
            self.engine,
            self.database.outbox,
            self.publish,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            on_published=self._observe_published,
        )
        self.database.on_events_committed(self.relay.wake)
        self.workers = [make(self.database, settings) for make in definition.workers]
        for worker in self.workers:
            if isinstance(worker, ReportingWorker):
                worker.register_metrics(self.registry)
        self._housekeeping: asyncio.Task[None] | None = None
        self.started = False

    async def start(self) -> None:
        await topology.declare(self.settings.amqp_url, *self.queues)
        await self.publisher.start()
        await self._start_consuming()
        self.relay.start()
        for worker in self.workers:
            worker.start()
        self._housekeeping = asyncio.create_task(self._keep_house(), name=f"housekeeping:{self.definition.name}")
        self.started = True
        # What the process holds once started (modules, tables, pools) lives as long as it does: out of the
        # collector's full passes, which otherwise walk all of it again every few requests that build long
        # lists (the board's thousands of tickets: pauses of 130 ms in bench/board.py, 2 ms once frozen).
        gc.freeze()
        log.info("service started", queues=[q.name for q in self.queues])

    async def _start_consuming(self) -> None:
        """FastStream's broker makes one connection attempt at its start, at the node whose turn it is;
        with a node of the cluster down, the next attempt goes to the next node."""
        nodes_left = len(nodes.node_urls(self.settings.amqp_url))
        while True:
            nodes_left -= 1
            try:
                await self.broker.start()
                return
            except (OSError, AMQPConnectionError):
                if nodes_left <= 0:
                    raise
                log.warning("a broker node did not answer; trying the next")

    async def stop(self) -> None:
        if not self.started:
            await self.engine.dispose()
            return
        self.started = False
        gc.unfreeze()  # collectable again: a process that starts and stops many runtimes (tests) keeps none
        await asyncio.gather(*(consumer.stop() for consumer in self.consumers))
        for worker in self.workers:
            await worker.stop()
        await self.relay.stop()
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
        await self.broker.stop()
        await self.publisher.stop()
        await self.engine.dispose()
        log.info("service stopped")

    def worker(self, kind: type) -> object:
        """The process's worker of this kind (the console's live feed, its connection to the services)."""
        return next(worker for worker in self.workers if isinstance(worker, kind))

    async def publish(self, message: OutgoingMessage) -> None:
        """Send one message persistent and wait for the broker's confirm (raises otherwise)."""
        await self.publisher.publish(
            message.body.encode(),
            exchange=message.exchange,
            routing_key=message.routing_key,
            message_id=str(message.message_id),
            correlation_id=message.correlation_id,
            message_type=message.message_type,
            headers=message.headers,
        )

    async def readiness(self) -> dict[str, bool]:
        """What must hold for this process to be given work, answered within READINESS_TIMEOUT_SECONDS
        (a probe that times out counts as a failure anyway): consumers count only while the broker's
        connection is up, since a subscriber stays "running" through an outage."""
        database, broker = await asyncio.gather(self._database_answers(), self._broker_answers())
        return {
            "database": database,
            "broker": broker,
            "consumers": broker and self.started and all(c.subscriber.running for c in self.consumers),
            "outbox_relay": self.started and self.relay.running,
            "workers": self.started and all(worker.running for worker in self.workers),
        }

    def reports(self) -> dict[str, Any]:
        """What the workers say of themselves (a mailbox's connection, its last error): for people, not a
        condition of readiness."""
        reports: dict[str, Any] = {}
        for worker in self.workers:
            if isinstance(worker, ReportingWorker):
                reports |= worker.report()
        return reports

    async def _database_answers(self) -> bool:
        try:
            async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def _broker_answers(self) -> bool:
        try:
            return await self.broker.ping(timeout=READINESS_TIMEOUT_SECONDS) and self.publisher.connected
        except Exception:
            return False

    def _observe_published(self, published: Sequence[PendingMessage]) -> None:
        self.metrics.outbox_published.inc(len(published))
        now = datetime.now(UTC)
        for pending in published:
            self.metrics.outbox_lag_seconds.observe(max(0.0, (now - pending.created_at).total_seconds()))

    async def _keep_house(self) -> None:
        """Forget old inbox ids and idempotency keys, drop old published outbox rows, report the outbox
        backlog."""
        while True:
            try:
                async with self.engine.begin() as connection:
                    await self.database.inbox.purge(connection, timedelta(hours=self.settings.dedupe_window_hours))
                    await self.database.outbox.purge_published(
                        connection, timedelta(hours=self.settings.outbox_retention_hours)
                    )
                    self.metrics.outbox_pending.set(await self.database.outbox.count_unpublished(connection))
                await self.database.idempotency.purge(timedelta(hours=self.settings.dedupe_window_hours))
            except Exception as error:
                log.warning("housekeeping failed", error=str(error))
            await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)
