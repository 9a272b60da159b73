"""The console's live feed under its own broker user, as deployed: its private queue is declared and
bound to `aftercare.events` (the user may do that for `console.live.<uuid>` only), an event published by
a service reaches an open page, a customer's page hears only its own site, and the queue goes with the
feed."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aio_pika.abc import AbstractChannel
from aiormq.exceptions import ChannelNotFoundEntity

from services.console.web.live import LiveFeed, Moved
from shared.messaging import topology
from shared.messaging.publisher import Publisher
from shared.provisioning import ServiceAccess, provision_broker
from testkit.accounts import deployment_accounts, removed_afterwards
from testkit.broker import queue_depth, refused_by_broker
from testkit.machine import BROKER_ADMIN_URL
from testkit.waiting import eventually
from testkit.world import World


@pytest.fixture(scope="module")
async def accounts(world: World) -> AsyncIterator[dict[str, ServiceAccess]]:
    provisioned = deployment_accounts(world, "live")
    async with removed_afterwards(provisioned):
        await asyncio.to_thread(provision_broker, BROKER_ADMIN_URL, provisioned)
        for account in provisioned:
            await topology.declare(account.amqp_url)  # the shared exchanges, as a starting service does
        yield {account.service: account for account in provisioned}


async def test_an_event_reaches_the_open_page_through_the_consoles_own_queue(
    accounts: dict[str, ServiceAccess],
) -> None:
    feed = LiveFeed(accounts["console"].amqp_url)
    feed.start()
    try:
        queue = await eventually(_consuming(feed), timeout=20, what="the live feed consuming")
        assert queue is not None
        async with feed.watch() as page:
            publisher = Publisher(accounts["dispatch"].amqp_url, name="live-test")
            await publisher.start()
            try:
                body = {
                    "type": "ticket.assigned",
                    "payload": {"ticket_id": "HH138-20261127-0042", "engineer_id": "E01"},
                }
                await publisher.publish(
                    json.dumps(body).encode(),
                    exchange=topology.EVENTS_EXCHANGE,
                    routing_key="ticket.assigned",
                    message_id=str(uuid.uuid4()),
                    correlation_id="HH138-20261127-0042",
                    message_type="ticket.assigned",
                )
            finally:
                await publisher.stop()
            moved = await asyncio.wait_for(page.get(), timeout=10)
        assert moved == Moved("ticket.assigned", "HH138-20261127-0042", "HH138", customer_sees=True)
    finally:
        await feed.stop()
    assert not feed.running
    with pytest.raises(ChannelNotFoundEntity):  # the private queue went with the feed
        await queue_depth(accounts["console"].amqp_url, queue)


async def test_the_console_user_may_declare_its_own_taps_only(accounts: dict[str, ServiceAccess]) -> None:
    url = accounts["console"].amqp_url

    def tap(name: str) -> Callable[[AbstractChannel], Awaitable[None]]:
        async def declare(channel: AbstractChannel) -> None:
            await topology.declare_tap(channel, "#", name=name)

        return declare

    assert not await refused_by_broker(url, tap(f"console.live.{uuid.uuid4()}"))
    assert await refused_by_broker(url, tap("console.live.spy"))
    assert await refused_by_broker(url, tap("dispatch.inbox.copy"))


def _consuming(feed: LiveFeed) -> Callable[[], Awaitable[str | None]]:
    async def queue() -> str | None:
        return feed.queue_name

    return queue


def test_a_moved_ticket_names_its_site() -> None:
    assert Moved.of("sla.warning", {"ticket_id": "LOAD1-20261127-0001"}).site_code == "LOAD1"
    assert Moved.of("site.described", {"site_code": "HH138"}) == Moved("site.described", None, "HH138", True)


def test_a_customer_hears_of_a_note_for_them_not_of_an_internal_one() -> None:
    note = {"ticket_id": "HH138-20261127-0001", "site_code": "HH138", "text": "x", "author": "a", "written_at": "t"}
    assert Moved.of("ticket.noted", {**note, "for_customer": True}).customer_sees
    assert not Moved.of("ticket.noted", {**note, "for_customer": False}).customer_sees
    assert not Moved.of("sla.warning", {"ticket_id": "HH138-20261127-0001"}).customer_sees
