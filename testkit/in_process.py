"""Services inside the test process: started whole (broker connection, engine, relay, HTTP app over
ASGI), or one handler fed over FastStream's in-memory broker for its contract tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from faststream.rabbit import TestRabbitBroker

import services
from shared.contracts.envelope import Envelope
from shared.http import create_app
from shared.runtime import ServiceRuntime
from testkit.broker import queue_depth
from testkit.identities import ADMIN
from testkit.waiting import eventually
from testkit.world import World


@dataclass
class RunningService:
    runtime: ServiceRuntime
    http: httpx.AsyncClient


@asynccontextmanager
async def running(world: World, *names: str, **overrides: Any) -> AsyncIterator[dict[str, RunningService]]:
    """Start services in this process (each with its own broker connection, engine and relay), and let
    them first work through what earlier tests of the same world left in their inboxes: events published
    while a service was not running wait for it (the archive keeps every event), and a test's deadlines
    are for its own messages."""
    started: dict[str, RunningService] = {}
    try:
        for name in names:
            runtime = ServiceRuntime(services.definition(name), world.settings(name, **overrides))
            await runtime.start()
            transport = httpx.ASGITransport(app=create_app(runtime, manage_lifecycle=False))
            started[name] = RunningService(
                runtime, httpx.AsyncClient(transport=transport, base_url=f"http://{name}", headers=ADMIN)
            )
        await _left_over_handled(world, names)
        yield started
    finally:
        for service in started.values():
            await service.http.aclose()
            await service.runtime.stop()


async def _left_over_handled(world: World, names: tuple[str, ...]) -> None:
    """Wait until the services' inboxes are empty, for half a minute at most: a message that keeps
    failing is the test's own business, and its assertions say so."""

    queues = [subscription.queue for name in names for subscription in services.definition(name).subscriptions]

    async def empty() -> bool:
        return not any([await queue_depth(world.amqp_url, queue) for queue in queues])

    with contextlib.suppress(AssertionError):
        await eventually(empty, timeout=30, interval=0.1)


async def deliver_in_memory(world: World, service: str, queue: str, *envelopes: Envelope[Any]) -> None:
    """Hand each envelope, in turn, to the service's consumer of `queue`: FastStream's in-memory broker,
    real database. For one handler's contract tests only; everything else goes through RabbitMQ."""
    runtime = ServiceRuntime(services.definition(service), world.settings(service))
    try:
        async with TestRabbitBroker(runtime.broker) as broker:
            for envelope in envelopes:
                await broker.publish(envelope.model_dump_json().encode(), queue=queue)
    finally:
        await runtime.engine.dispose()
