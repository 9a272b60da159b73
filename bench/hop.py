"""One service hop through the kernel, against the same hop written directly on aio-pika and asyncpg.

A hop: consume a message, record its effect and one outgoing event in one transaction, publish that
event with a publisher confirm, acknowledge. Both variants run in this one process against the same
broker and database, with the same prefetch, on a backlog of messages waiting in their queue, and are
timed until every outgoing event has reached a sink queue. The kernel variant adds what the raw one
leaves out: envelope and payload validation, the inbox (deduplication), the outbox relay, metrics.

    uv run python bench/hop.py [--messages 5000] [--prefetch 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from typing import Any, ClassVar

import aio_pika
import asyncpg
from sqlalchemy import Column, Integer

from shared.contracts import Envelope, Event, seal
from shared.messaging.topology import (
    EVENTS_EXCHANGE,
    ConsumerQueue,
    declare_consumer_queue,
    declare_exchanges,
    declare_tap,
)
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.database import asyncpg_dsn
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from testkit.scratch import scratch_service
from testkit.world import World, create_world, destroy_world


class HopIn(Event):
    message_type: ClassVar[str] = "bench.hop_in"
    n: int


class HopOut(Event):
    message_type: ClassVar[str] = "bench.hop_out"
    n: int


async def _rate_at_sink(queue: aio_pika.abc.AbstractQueue, expected: int) -> float:
    """Messages per second between the first and the last outgoing event reaching the sink: start-up
    and connection set-up, which differ between the variants, are left out."""
    first: float | None = None
    while True:
        declared = await queue.channel.declare_queue(queue.name, passive=True)
        arrived = declared.declaration_result.message_count or 0
        now = time.perf_counter()
        if first is None and arrived >= 1:
            first, first_count = now, arrived
        if arrived >= expected:
            assert first is not None
            return (arrived - first_count) / (now - first)
        await asyncio.sleep(0.005)


async def _backlog(channel: aio_pika.abc.AbstractChannel, queue: str, bodies: list[bytes], key: str) -> None:
    for start in range(0, len(bodies), 500):
        await asyncio.gather(
            *(
                channel.default_exchange.publish(
                    aio_pika.Message(body, message_id=str(uuid.uuid4()), type=key, delivery_mode=2), routing_key=queue
                )
                for body in bodies[start : start + 500]
            )
        )


async def raw_hop(world: World, messages: int, prefetch: int) -> float:
    """The hop by hand: asyncpg transaction, aio-pika publish with confirm, ack."""
    pool = await asyncpg.create_pool(asyncpg_dsn(world.database_url), min_size=prefetch, max_size=prefetch)
    schema = f"raw_{uuid.uuid4().hex[:6]}"
    await pool.execute(
        f"CREATE SCHEMA {schema};"
        f"CREATE TABLE {schema}.effects (n int NOT NULL);"
        f"CREATE TABLE {schema}.outbox (id bigserial PRIMARY KEY, body text NOT NULL, published_at timestamptz)"
    )
    connection = await aio_pika.connect(world.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=prefetch)
        await declare_exchanges(channel)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        source = await channel.declare_queue(f"{schema}.in", durable=True, arguments={"x-queue-type": "quorum"})
        sink = await declare_tap(channel, "raw.hop_out")
        await _backlog(channel, source.name, [json.dumps({"n": n}).encode() for n in range(messages)], "raw.hop_in")

        async def handle(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            n = json.loads(message.body)["n"]
            body = json.dumps({"n": n, "hop": "out"})
            async with pool.acquire() as db, db.transaction():
                await db.execute(f"INSERT INTO {schema}.effects (n) VALUES ($1)", n)
                row_id = await db.fetchval(f"INSERT INTO {schema}.outbox (body) VALUES ($1) RETURNING id", body)
                await exchange.publish(
                    aio_pika.Message(body.encode(), delivery_mode=2, message_id=str(uuid.uuid4())),
                    routing_key="raw.hop_out",
                )
                await db.execute(f"UPDATE {schema}.outbox SET published_at = now() WHERE id = $1", row_id)
            await message.ack()

        tag = await source.consume(handle)
        rate = await _rate_at_sink(sink, messages)
        await source.cancel(tag)
        await source.delete(if_unused=False, if_empty=False)
    await pool.execute(f"DROP SCHEMA {schema} CASCADE")
    await pool.close()
    return rate


async def kernel_hop(world: World, messages: int, prefetch: int) -> float:
    """The same hop as an Aftercare service: QueueConsumer, inbox, unit of work, outbox relay."""
    async with scratch_service(world, "hop", Column("n", Integer, nullable=False)) as scratch:

        @scratch.handlers.on(HopIn)
        async def apply(message: Envelope[HopIn], uow: UnitOfWork) -> None:
            await uow.connection.execute(scratch.effects.insert().values(n=message.payload.n))
            uow.publish(HopOut(n=message.payload.n))

        settings = ServiceSettings(
            database_url=world.database_url, amqp_url=world.amqp_url, prefetch=prefetch, db_pool_size=prefetch
        )
        runtime = ServiceRuntime(scratch.definition, settings)
        amqp = await aio_pika.connect(world.amqp_url)
        async with amqp:
            channel = await amqp.channel(publisher_confirms=True)
            await declare_exchanges(channel)
            sink = await declare_tap(channel, "bench.hop_out")
            await declare_consumer_queue(channel, ConsumerQueue(scratch.queue))
            bodies = [
                seal(HopIn(n=n), producer="bench", correlation_id=f"hop-{n}").model_dump_json().encode()
                for n in range(messages)
            ]
            await _backlog(channel, scratch.queue, bodies, "bench.hop_in")
            await runtime.start()
            rate = await _rate_at_sink(sink, messages)
            await runtime.stop()
    return rate


def _uvloop() -> str:
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        return "uvloop"
    except ImportError:
        return "asyncio"


async def run(messages: int, prefetch: int, rounds: int) -> dict[str, list[float]]:
    world = await asyncio.to_thread(create_world)
    rates: dict[str, list[float]] = {"raw aio-pika + asyncpg": [], "Aftercare kernel": []}
    try:
        for _ in range(rounds):
            for variant, hop in (("raw aio-pika + asyncpg", raw_hop), ("Aftercare kernel", kernel_hop)):
                cpu = time.process_time()
                rates[variant].append(await hop(world, messages, prefetch))
                CPU_MS_PER_MESSAGE.setdefault(variant, []).append((time.process_time() - cpu) * 1000 / messages)
    finally:
        await asyncio.to_thread(destroy_world, world)
    return rates


CPU_MS_PER_MESSAGE: dict[str, list[float]] = {}
"""This process's CPU per message in each round (the broker's and the database's are not in it): a figure
that a box shared with other work disturbs less than the rate."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--prefetch", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    loop = _uvloop()
    rates = asyncio.run(run(args.messages, args.prefetch, args.rounds))
    medians: dict[str, Any] = {variant: statistics.median(values) for variant, values in rates.items()}
    print(f"\n{args.messages} messages, prefetch {args.prefetch}, {loop}, median of {args.rounds} rounds (msg/s)")
    for variant, values in rates.items():
        cpu = statistics.median(CPU_MS_PER_MESSAGE[variant])
        rounds = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {variant:<24}{medians[variant]:>8.0f}   rounds: {rounds}   CPU of this process {cpu:.2f} ms/message")
    ratio = medians["Aftercare kernel"] / medians["raw aio-pika + asyncpg"]
    print(f"  kernel / raw: {ratio:.0%}")


if __name__ == "__main__":
    main()
