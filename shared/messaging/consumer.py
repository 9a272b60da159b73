"""Consumes one service queue: validate, deduplicate, apply, commit, then acknowledge (the deliveries
waiting at one moment commit together, a savepoint each: shared/messaging/window.py).

A service declares what it does with each contract on a `MessageHandlers` registry; the kernel's
`QueueConsumer` is the only FastStream subscriber of the queue and routes each message by its type.
Every delivery ends in exactly one of these outcomes, and is acknowledged only after it:

- processed: the handler's state change, the inbox row and its outgoing events committed together;
- duplicate: the inbox already holds the message id, nothing happens again;
- ignored: the service said the message does not concern it (`Subscription.concerns`, asked before
  any transaction): the webhooks skip the events of sites that no system subscribed to;
- retried: the handler failed; a copy waits in `<queue>.retry` and comes back after the delay;
- dead-lettered: the message is larger than MAX_MESSAGE_BYTES; an event that is not what its routing
  key says, or sent to the queue directly by another service's broker user (`forged_producer`);
  malformed, of an unknown type or version; refused by the handler (`PermanentFailure`) or by the
  database (a value it cannot store: `invalid_data`, at once); or failed `max_attempts` times. It
  goes to `<queue>.dead` with the reason.

If even the retry or dead-letter publish fails, the delivery is returned to the queue (nack) and the
broker's delivery limit remains as the last backstop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

import structlog
from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import QueueType, RabbitBroker, RabbitMessage, RabbitQueue
from faststream.rabbit.schemas.queue import QuorumQueueArgs
from pydantic import ValidationError

from shared.contracts.envelope import Envelope, RawEnvelope
from shared.logs import get_logger
from shared.messaging.failures import NotYet, PermanentFailure
from shared.messaging.metrics import KernelMetrics
from shared.messaging.publisher import Publisher
from shared.messaging.routes import MessageHandlers
from shared.messaging.senders import FIRST_DELIVERY_HEADER, as_header, first_delivery, forgery
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, MAX_MESSAGE_BYTES, QUEUES_EXCHANGE, ConsumerQueue
from shared.messaging.unit_of_work import Delivery
from shared.messaging.window import Applied, GroupCommit
from shared.persistence.errors import database_reason, is_data_error
from shared.persistence.service_database import ServiceDatabase

log = get_logger(__name__)

ATTEMPT_HEADER = "x-aftercare-attempt"
LAST_ERROR_HEADER = "x-aftercare-last-error"
DEAD_REASON_HEADER = "x-aftercare-dead-reason"
FORGED = "forged_producer"
"""The reason of a letter sent by a broker user that is not its producer's."""
DEAD_DETAIL_HEADER = "x-aftercare-dead-detail"
DEAD_QUEUE_HEADER = "x-aftercare-source-queue"
DEAD_AT_HEADER = "x-aftercare-dead-at"
DEAD_BODY_BYTES_HEADER = "x-aftercare-dead-body-bytes"  # a cut body's whole length
KEPT_OF_A_TOO_LARGE_BODY = 64 * 1024
MAX_DETAIL = 2000

Concerns = Callable[[Envelope[Any], ServiceDatabase], Awaitable[bool]]  # False: acknowledged, nothing recorded
DeadLetterHook = Callable[[Publisher, RabbitMessage, str, str], Awaitable[None]]
"""Told of a message dead-lettered (the publisher, the message, reason, detail): e.g. to tell its sender."""


class Outcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    RETRIED = "retried"
    DEAD_LETTERED = "dead_lettered"
    REQUEUED = "requeued"


class _DeadLetter(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class QueueConsumer:
    def __init__(
        self,
        *,
        queue: ConsumerQueue,
        handlers: MessageHandlers,
        database: ServiceDatabase,
        broker: RabbitBroker,
        publisher: Publisher,
        metrics: KernelMetrics,
        max_attempts: int = 5,
        retry_delay: timedelta = timedelta(seconds=2),
        on_dead_letter: DeadLetterHook | None = None,
        concerns: Concerns | None = None,
        checks_producer: bool = False,
        window_size: int = 1,
        windows: int = 1,
    ) -> None:
        self.queue = queue
        self._checks_producer = checks_producer
        self._on_dead_letter = on_dead_letter
        self._concerns = concerns
        self._handlers = handlers
        self._database = database
        self._publisher = publisher
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._windows = GroupCommit(queue.name, database, metrics, size=window_size, workers=windows)
        self.subscriber = broker.subscriber(
            RabbitQueue(
                queue.name,
                queue_type=QueueType.QUORUM,
                arguments=cast(QuorumQueueArgs, queue.arguments()),
            ),
            ack_policy=AckPolicy.MANUAL,
            # FastStream would parse JSON before our code runs, and a body that fails to parse would
            # stay unacknowledged. The handler gets the message itself; validation is ours (and
            # dead-letters with a reason). The broker runs without dependency injection
            # (apply_types=False), which would otherwise resolve the message in a thread per delivery.
            decoder=_the_message,
            title=queue.name,
            description=f"Events {', '.join(handlers.routing_keys)} for {database.producer}.",
        )
        self.subscriber(self.consume)

    async def stop(self) -> None:
        """Stop taking messages; those in hand are finished first."""
        await self.subscriber.stop()
        await self._windows.stop()

    async def consume(self, message: RabbitMessage) -> None:
        raw = message.raw_message
        with structlog.contextvars.bound_contextvars(
            message_id=raw.message_id, correlation_id=raw.correlation_id, message_type=raw.type
        ):
            try:
                outcome = await self.handle(message)
            except Exception:
                # A fault in the kernel itself: never leave the delivery unacknowledged. Returned to the
                # queue, it comes back until the broker's delivery limit dead-letters it.
                log.exception("message could not be handled; returning it to the queue")
                await message.nack(requeue=True)
                outcome = Outcome.REQUEUED
            # Label by known types only, so that junk cannot grow the metric's label set without bound.
            label = raw.type if raw.type and self._handlers.knows(raw.type) else "other"
            self._metrics.consumed.labels(self.queue.name, label, outcome.value).inc()

    async def handle(self, message: RabbitMessage) -> Outcome:
        attempt = _attempt(message.headers.get(ATTEMPT_HEADER))
        delivery = first_delivery(message.raw_message, message.headers, own_user=self._publisher.user)
        try:
            outcome = await self._apply(message.body, delivery)
        except _DeadLetter as dead:
            return await self._dead_letter(message, dead.reason, dead.detail, attempt)
        except PermanentFailure as refused:
            return await self._dead_letter(message, refused.reason, refused.detail, attempt)
        except Exception as error:
            if is_data_error(error):  # the same values fail the same way on every attempt
                return await self._dead_letter(message, "invalid_data", database_reason(error), attempt)
            if attempt >= self._max_attempts:
                return await self._dead_letter(message, "retries_exhausted", _describe(error), attempt)
            return await self._retry(message, error, attempt)
        await message.ack()
        return outcome

    async def _apply(self, body: bytes, delivery: Delivery) -> Outcome:
        if len(body) > MAX_MESSAGE_BYTES:
            raise _DeadLetter("too_large", f"{len(body)} bytes; messages are limited to {MAX_MESSAGE_BYTES}")
        try:
            envelope = RawEnvelope.model_validate_json(body)
        except ValidationError as error:
            raise _DeadLetter("invalid_envelope", _describe(error)) from error
        # The envelope is the authority; the AMQP properties may be missing when another system sent it.
        structlog.contextvars.bind_contextvars(
            message_id=str(envelope.message_id), correlation_id=envelope.correlation_id, message_type=envelope.type
        )
        if self._checks_producer:
            self._check_sender(envelope, delivery)
        route = self._handlers.route(envelope.type, envelope.schema_version)
        if route is None:
            if self._handlers.knows(envelope.type):
                raise _DeadLetter(
                    "unsupported_schema_version",
                    f"{envelope.type} v{envelope.schema_version} has no handler in this release",
                )
            raise _DeadLetter("unknown_type", f"no handler for {envelope.type!r} on {self.queue.name}")
        try:
            payload = route.contract.model_validate(envelope.payload)
        except ValidationError as error:
            raise _DeadLetter("invalid_payload", _describe(error)) from error
        typed = cast("Envelope[Any]", envelope.model_copy(update={"payload": payload}))
        if self._concerns is not None and not await self._concerns(typed, self._database):
            return Outcome.IGNORED

        applied = await self._windows.apply(typed, route, delivery)
        if applied is Applied.DUPLICATE:
            log.debug("duplicate message ignored")
            return Outcome.DUPLICATE
        return Outcome.PROCESSED

    def _check_sender(self, envelope: RawEnvelope, delivery: Delivery) -> None:
        forged = forgery(envelope.type, delivery, queue_exchange=self.queue.exchange, own_user=self._publisher.user)
        if forged is not None:
            raise _DeadLetter(FORGED, forged)

    async def _retry(self, message: RabbitMessage, error: Exception, attempt: int) -> Outcome:
        if isinstance(error, NotYet):
            log.info("message waits for an earlier one; retrying later", attempt=attempt, why=str(error))
        else:
            log.warning("handler failed; retrying later", attempt=attempt, error=_describe(error), exc_info=error)
        first = first_delivery(message.raw_message, message.headers, own_user=self._publisher.user)
        headers = {
            **message.headers,
            ATTEMPT_HEADER: attempt + 1,
            LAST_ERROR_HEADER: _describe(error),
            FIRST_DELIVERY_HEADER: as_header(first),
        }
        return await self._forward(
            message, QUEUES_EXCHANGE, self.queue.retry_queue, headers, Outcome.RETRIED, expiration=self._retry_delay
        )

    async def _dead_letter(self, message: RabbitMessage, reason: str, detail: str, attempt: int) -> Outcome:
        log.error("message dead-lettered", reason=reason, detail=detail, attempt=attempt)
        headers = {
            **message.headers,
            DEAD_REASON_HEADER: reason,
            DEAD_DETAIL_HEADER: detail[:MAX_DETAIL],
            DEAD_QUEUE_HEADER: self.queue.name,
            DEAD_AT_HEADER: datetime.now(UTC).isoformat(),
            ATTEMPT_HEADER: attempt,
        }
        body = message.body
        if len(body) > MAX_MESSAGE_BYTES:  # never replayable: its start kept, so huge ones cannot fill the queue
            headers[DEAD_BODY_BYTES_HEADER], body = len(body), body[:KEPT_OF_A_TOO_LARGE_BODY]
        dead = Outcome.DEAD_LETTERED
        outcome = await self._forward(message, DEAD_LETTER_EXCHANGE, self.queue.name, headers, dead, body=body)
        if outcome is Outcome.DEAD_LETTERED and self._on_dead_letter is not None:
            try:
                await self._on_dead_letter(self._publisher, message, reason, detail)
            except Exception:  # the dead letter is kept; telling its sender is a courtesy
                log.exception("could not tell the sender of a dead letter")
        return outcome

    async def _forward(
        self,
        message: RabbitMessage,
        exchange: str,
        routing_key: str,
        headers: dict[str, Any],
        outcome: Outcome,
        *,
        expiration: timedelta | None = None,
        body: bytes | None = None,
    ) -> Outcome:
        raw = message.raw_message
        try:
            await self._publisher.publish(
                message.body if body is None else body,
                exchange=exchange,
                routing_key=routing_key,
                headers=headers,
                message_id=raw.message_id,
                correlation_id=raw.correlation_id,
                message_type=raw.type,
                content_type=raw.content_type,
                timestamp=raw.timestamp,
                expiration=expiration,
            )
        except Exception:
            log.exception("could not forward message; returning it to the queue", to=routing_key)
            await message.nack(requeue=True)
            return Outcome.REQUEUED
        await message.ack()
        return outcome


async def _the_message(message: StreamMessage[Any]) -> StreamMessage[Any]:
    return message


def _attempt(header: object) -> int:
    """Which attempt this delivery is: 1 unless our retry header says otherwise."""
    try:
        return max(1, int(str(header))) if header is not None else 1
    except ValueError:
        return 1


def _describe(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in error.errors(include_url=False)
        ]
        return "; ".join(parts)[:MAX_DETAIL]
    return f"{type(error).__name__}: {error}"[:MAX_DETAIL]
