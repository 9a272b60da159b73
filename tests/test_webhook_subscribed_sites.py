"""Each webhooks process keeps the subscribed sites in memory (services/webhooks/subscribed_sites.py),
over the real broker and database: a subscription made or removed through the API reaches every process
within a short wait and is honoured by the site's next event; a process whose listening connection is
lost is not ready until it has listened and read the whole set again, so that a change it did not hear of
meanwhile is not missed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from services.webhooks import subscribed_sites
from services.webhooks.db import repository
from services.webhooks.subscribed_sites import SubscribedSites
from testkit.broker import send_envelopes
from testkit.in_process import RunningService, running
from testkit.receivers import Receiver, http_receiver
from testkit.samples import opened_envelope
from testkit.waiting import eventually, stays
from testkit.world import World

# The local receiver is inside: allowed as a deployment allows its own network (tests/test_webhook_egress.py).
QUICK = {"delivery_tick_seconds": 0.2, "allowed_networks": ["127.0.0.0/8"]}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with http_receiver() as kept:
        yield kept


def _copy_of(service: RunningService) -> SubscribedSites:
    copy = subscribed_sites.of(service.runtime.database)
    assert copy is not None
    return copy


def _a_site_of_its_own() -> str:
    return f"W{uuid.uuid4().hex[:6].upper()}"  # no other test's subscriptions


async def _send_opened(world: World, site: str) -> None:
    ticket = f"{site}-20261207-{uuid.uuid4().hex[:4]}"
    await send_envelopes(world.amqp_url, [opened_envelope(ticket, site_code=site, site_name="A plaza of its own")])


async def test_a_subscription_made_or_removed_through_the_api_is_honoured_by_the_next_event(
    seeded: World, receiver: Receiver
) -> None:
    site = _a_site_of_its_own()
    async with running(seeded, "webhooks", **QUICK) as one, running(seeded, "webhooks", **QUICK) as other:
        processes = [one["webhooks"], other["webhooks"]]  # two processes, each with its own copy
        copies = [_copy_of(process) for process in processes]
        assert copies[0] is not copies[1]

        async def every_copy_holds(expected: list[list[str]]) -> bool:
            return all(copy.running and copy.event_types(site) == expected for copy in copies)

        await eventually(lambda: every_copy_holds([]), timeout=10, what="both processes know the sites")
        subscribed = await processes[0].http.post(
            "/subscriptions", json={"site_code": site, "url": receiver.url, "event_types": ["ticket.*"]}
        )
        assert subscribed.status_code == 201, subscribed.text
        # The other process hears of it only from the database's notification.
        await eventually(lambda: every_copy_holds([["ticket.*"]]), timeout=5, what="both told of the subscription")
        await _send_opened(seeded, site)
        await eventually(lambda: _received(receiver, 1), timeout=20, what="the site's next event delivered")

        removed = await processes[0].http.delete(f"/subscriptions/{subscribed.json()['id']}")
        assert removed.status_code == 204
        await eventually(lambda: every_copy_holds([]), timeout=5, what="both told of the removal")
        await _send_opened(seeded, site)
        await stays(lambda: _received_exactly(receiver, 1), what="nothing delivered once removed")


async def test_a_lost_listening_connection_is_not_ready_until_the_whole_set_is_read_again(
    seeded: World, receiver: Receiver
) -> None:
    site = _a_site_of_its_own()
    # No periodic reading during the test: only listening again may find the change it did not hear of.
    settings: dict[str, Any] = {**QUICK, "listen_again_seconds": 2.0, "subscriptions_reread_seconds": 600}
    async with running(seeded, "webhooks", **settings) as suite:
        webhooks = suite["webhooks"]
        copy = _copy_of(webhooks)
        await eventually(_holding(copy, site, []), timeout=10, what="the sites known")
        engine = webhooks.runtime.engine
        async with engine.begin() as connection:  # a change whose notification nobody hears: trigger off
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
            await repository.add_subscription(
                connection, site_code=site, event_types=[], url=receiver.url, secret="whsec_test", owner="test"
            )
        await stays(_holding(copy, site, []), seconds=0.5, what="the change not heard of")

        readings = copy.readings
        async with engine.connect() as connection:
            assert (
                await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": copy.backend_pid})
            ).scalar()

        async def not_ready() -> bool:
            return (await webhooks.runtime.readiness())["workers"] is False

        await eventually(not_ready, timeout=5, interval=0.02, what="not ready while the sites are not known")
        await eventually(_holding(copy, site, [[]]), timeout=15, what="listening again, the whole set read")
        assert copy.readings > readings
        assert (await webhooks.runtime.readiness())["workers"]
        await _send_opened(seeded, site)
        await eventually(lambda: _received(receiver, 1), timeout=20, what="the site's next event delivered")


def _holding(copy: SubscribedSites, site: str, expected: list[list[str]]) -> Any:
    async def holds() -> bool:
        return copy.running and copy.event_types(site) == expected

    return holds


async def _received(receiver: Receiver, at_least: int) -> bool:
    return len(receiver.received) >= at_least


async def _received_exactly(receiver: Receiver, count: int) -> bool:
    return len(receiver.received) == count
