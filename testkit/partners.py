"""Vendor partners of a test's own: onboarded as `aftercare partners add` does (a broker user, its
queues, permissions and agreement), and removed afterwards; what a partner does on the broker: take
its requests, reply, read its error queue; and the example partner client of examples/ run for one."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aio_pika
import httpx

import services
from services.vendor.onboarding import add_partner
from services.vendor.partner_topology import REPLIES_EXCHANGE, broker_user, errors_queue, requests_queue
from shared.contracts import Agreement, Contact, Contract, seal
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from testkit.machine import BROKER_ADMIN_URL, REPOSITORY, rabbitmqctl
from testkit.processes import Process, python_process
from testkit.world import World

EXAMPLE_CLIENT = REPOSITORY / "examples" / "vendor-partner" / "partner_client.py"
AGREEMENT = Agreement(acknowledge_hours=4, on_site_hours=24, repair_working_days=10, replacement_days=5)


@dataclass(frozen=True)
class Partner:
    code: str
    amqp_url: str

    @property
    def user(self) -> str:
        return broker_user(self.code)

    async def take_requests(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        """The next `count` messages on the partner's request queue, acknowledged."""
        return await self._take(requests_queue(self.code), count, timeout)

    async def take_errors(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        return await self._take(errors_queue(self.code), count, timeout)

    async def _take(self, queue_name: str, count: int, timeout: float) -> list[dict[str, Any]]:
        taken: list[dict[str, Any]] = []
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            queue = await (await connection.channel()).get_queue(queue_name, ensure=False)
            deadline = asyncio.get_running_loop().time() + timeout
            while len(taken) < count:
                message = await queue.get(fail=False)
                if message is None:
                    if asyncio.get_running_loop().time() > deadline:
                        raise AssertionError(f"{len(taken)} of {count} messages on {queue_name} within {timeout}s")
                    await asyncio.sleep(0.05)
                    continue
                taken.append(json.loads(message.body))
                await message.ack()
        return taken

    async def reply(
        self,
        reply: Contract,
        *,
        step: str,
        message_id: str | None = None,
        copies: int = 1,
        sent_at: datetime | None = None,
    ) -> str:
        """Publish a reply as the partner's own user (user_id set), on its own routing key prefix;
        `sent_at` is the envelope's occurred_at (default: now)."""
        envelope = seal(
            reply, producer=self.user, correlation_id=getattr(reply, "case_number", "?"), occurred_at=sent_at
        )
        if message_id is not None:
            envelope = envelope.model_copy(update={"message_id": uuid.UUID(message_id)})
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(REPLIES_EXCHANGE, ensure=False)
            for _ in range(copies):
                await exchange.publish(
                    aio_pika.Message(
                        envelope.model_dump_json().encode(),
                        message_id=str(envelope.message_id),
                        type=envelope.type,
                        user_id=self.user,
                        content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=f"{self.code}.{step}",
                )
        return str(envelope.message_id)


def new_partner_code() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def onboarded(world: World, code: str | None = None, **agreement: Any) -> AsyncIterator[Partner]:
    """A partner with a code of its own (`code`, or a new one), onboarded in `world`; its broker user
    deleted afterwards."""
    code = code or new_partner_code()
    engine = create_engine(world.database_url, pool_size=1)
    database = ServiceDatabase(engine, services.definition("vendor").metadata, producer="vendor")
    try:
        password = await add_partner(
            database,
            admin_api_url=BROKER_ADMIN_URL,
            amqp_url=world.amqp_url,
            code=code,
            name=f"Partner {code}",
            contacts=[Contact(name="Service desk", phone="+86 400 000 0000")],
            agreement=AGREEMENT.model_copy(update=agreement),
        )
        broker = urlsplit(world.amqp_url)
        credentials = f"{broker_user(code)}:{quote(password, safe='')}"
        yield Partner(code, f"amqp://{credentials}@{broker.hostname}:{broker.port or 5672}{broker.path}")
    finally:
        await engine.dispose()
        await asyncio.to_thread(forget_partner, world, code)


def forget_partner(world: World, code: str) -> None:
    """The partner's broker user and its four queues gone: a test run onboards dozens of partners, and a
    broker with the default 1,024 file handles holds only about 300 queues before it stalls."""
    rabbitmqctl("delete_user", broker_user(code), check=False)
    with httpx.Client(base_url=BROKER_ADMIN_URL, timeout=30) as admin:
        for queue in (requests_queue(code), errors_queue(code)):
            for name in (queue, f"{queue}.dead"):
                admin.delete(f"/api/queues/{quote(world.vhost, safe='')}/{quote(name, safe='')}")


@contextmanager
def example_client(partner: Partner, log_dir: Path, *options: str) -> Iterator[Process]:
    """The example partner client of examples/ as its own process, working for `partner`; run from
    outside the repository with isolated imports, as a partner's developer would run their copy."""
    argv = ("-I", str(EXAMPLE_CLIENT), "--url", partner.amqp_url, "--code", partner.code, *options)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AFTERCARE_")}
    with python_process(*argv, env=environment, log_dir=log_dir) as process:
        yield process


def said(process: Process, event: str) -> list[dict[str, Any]]:
    """What the example client has printed so far of one kind (it prints one JSON object per line)."""
    lines = (json.loads(line) for line in process.output().splitlines() if line.startswith("{"))
    return [line for line in lines if line.get("event") == event]


async def refused_connection(url: str) -> str:
    """Why the broker refused to open a connection (a failure if it opens one)."""
    try:
        connection = await aio_pika.connect(url)
    except (aio_pika.exceptions.AMQPError, asyncio.CancelledError) as refused:  # a refused vhost cancels the opening
        return repr(refused)
    await connection.close()
    raise AssertionError("the broker opened a connection it should have refused")
