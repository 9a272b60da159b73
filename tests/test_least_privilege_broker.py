"""Least privilege on the broker as deployed: `aftercare provision` gives each service a RabbitMQ user
that may declare, bind and consume only its own queues and publish only its own event types, and a
service takes no event from another that slipped past those rules.

The users and virtual host are this run's own and are removed at the end.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlsplit

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel
from sqlalchemy import text

import services
from shared.contracts.catalogue import EVENTS
from shared.messaging import topology
from shared.messaging.dead_letters import DeadLetter, list_dead_letters, replay_dead_letters
from shared.messaging.publisher import Publisher, broker_user
from shared.provisioning import ServiceAccess, broker_permissions
from shared.provisioning.broker import events_pattern, queues_pattern
from shared.runtime import ServiceRuntime
from testkit.accounts import provisioned_deployment, queue_as_declared
from testkit.broker import refused_by_broker, send
from testkit.identities import PUBLIC_KEY
from testkit.machine import AMQP_BASE_URL
from testkit.samples import opened_at_load_site
from testkit.waiting import eventually
from testkit.world import World


@pytest.fixture(scope="module")
async def accounts(world: World) -> AsyncIterator[dict[str, ServiceAccess]]:
    async with provisioned_deployment(world, "users") as provisioned:
        yield provisioned


@pytest.mark.parametrize("name", services.NAMES)
async def test_a_service_user_is_refused_on_every_other_service_queue(
    accounts: dict[str, ServiceAccess], name: str
) -> None:
    url = accounts[name].amqp_url
    for other in services.NAMES:
        if other == name:
            continue
        for queue in accounts[other].queues:
            spec = queue_as_declared(accounts[other], queue)

            async def consume(channel: AbstractChannel, queue: str = queue) -> None:
                await (await channel.get_queue(queue, ensure=False)).get(fail=False)

            async def declare(channel: AbstractChannel, spec: topology.ConsumerQueue = spec) -> None:
                await topology.declare_consumer_queue(channel, spec)

            async def bind(channel: AbstractChannel, queue: str = queue) -> None:
                target = await channel.get_queue(queue, ensure=False)
                await target.bind(topology.EVENTS_EXCHANGE, routing_key="ticket.opened")

            assert await refused_by_broker(url, consume), f"{name} read {queue}"
            assert await refused_by_broker(url, declare), f"{name} declared {queue}"
            assert await refused_by_broker(url, bind), f"{name} bound {queue}"


async def test_a_service_user_may_do_what_its_service_does(accounts: dict[str, ServiceAccess]) -> None:
    account = accounts["dispatch"]
    queue = account.queues[0]
    assert set(account.queues) == {"dispatch.inbox", "dispatch.notices", "dispatch.accounts"}
    spec = topology.ConsumerQueue(queue)
    publisher = Publisher(account.amqp_url, name="least-privilege")
    await publisher.start()
    try:
        # an event, a retry (to its own retry queue), a command to intake (an inspection's finding)
        # and a dead letter
        for exchange, routing_key in (
            (topology.EVENTS_EXCHANGE, "ticket.assigned"),
            (topology.QUEUES_EXCHANGE, spec.retry_queue),
            (topology.QUEUES_EXCHANGE, "intake.requests"),
            (topology.DEAD_LETTER_EXCHANGE, queue),
        ):
            await publisher.publish(
                b"{}",
                exchange=exchange,
                routing_key=routing_key,
                message_id=None,
                correlation_id=None,
                message_type=None,
                expiration=timedelta(0),  # what reaches a retry queue comes back at once
            )
    finally:
        await publisher.stop()

    async def consume_own(channel: AbstractChannel) -> None:
        await (await channel.get_queue(queue, ensure=False)).get(fail=False)

    assert not await refused_by_broker(account.amqp_url, consume_own)


@pytest.mark.parametrize(
    ("name", "own", "others"),
    [
        ("intake", "ticket.opened", ("ticket.assigned", "sla.breached")),
        ("dispatch", "ticket.assigned", ("ticket.opened", "document.archived")),
        ("sla", "sla.breached", ("ticket.opened", "ticket.closed")),
        ("console", None, ("ticket.opened",)),
    ],
)
async def test_a_service_user_may_publish_only_its_own_events(
    accounts: dict[str, ServiceAccess], name: str, own: str | None, others: tuple[str, ...]
) -> None:
    def publishing(routing_key: str) -> Callable[[AbstractChannel], Awaitable[None]]:
        async def publish(channel: AbstractChannel) -> None:
            exchange = await channel.get_exchange(topology.EVENTS_EXCHANGE, ensure=False)
            await exchange.publish(aio_pika.Message(b"{}", user_id=broker_user(url)), routing_key=routing_key)

        return publish

    url = accounts[name].amqp_url
    if own is not None:
        assert not await refused_by_broker(url, publishing(own), confirm=True), f"{name} refused {own}"
    for other in others:
        assert await refused_by_broker(url, publishing(other), confirm=True), f"{name} published {other}"


async def test_a_service_user_may_bind_by_name_only_its_own_queues(accounts: dict[str, ServiceAccess]) -> None:
    """Else it could bind a queue of its own to `aftercare.queues` and read copies of the others' retries
    and commands."""
    url = accounts["sla"].amqp_url

    def binding(routing_key: str) -> Callable[[AbstractChannel], Awaitable[None]]:
        async def bind(channel: AbstractChannel) -> None:
            queue = await channel.get_queue("sla.inbox", ensure=False)
            await queue.bind(topology.QUEUES_EXCHANGE, routing_key=routing_key)

        return bind

    assert not await refused_by_broker(url, binding("sla.inbox"))
    for foreign in ("#", "dispatch.inbox.retries", "intake.requests"):
        assert await refused_by_broker(url, binding(foreign)), foreign


def _publishing(exchange: str, routing_key: str, user: str) -> Callable[[AbstractChannel], Awaitable[None]]:
    async def publish(channel: AbstractChannel) -> None:
        target = await channel.get_exchange(exchange, ensure=False) if exchange else channel.default_exchange
        await target.publish(aio_pika.Message(b"{}", user_id=user, expiration=timedelta(0)), routing_key=routing_key)

    return publish


@pytest.mark.parametrize("name", services.NAMES)
async def test_no_service_user_reaches_a_queue_by_name_but_its_own_retries_and_the_commands_it_sends(
    accounts: dict[str, ServiceAccess], name: str
) -> None:
    url = accounts[name].amqp_url
    user = broker_user(url)
    may = {*(f"{q}.retries" for q in accounts[name].queues), *services.definition(name).sends}
    for other in services.NAMES:
        for queue in accounts[other].queues:
            default = _publishing("", queue, user)
            assert await refused_by_broker(url, default, confirm=True), f"{name} wrote to {queue} directly"
            for key in (queue, f"{queue}.retries"):
                refused = await refused_by_broker(url, _publishing(topology.QUEUES_EXCHANGE, key, user), confirm=True)
                assert refused == (key not in may), f"{name} publishing {key} on {topology.QUEUES_EXCHANGE}"


async def test_intake_may_send_a_mails_photos_to_the_archive_and_only_the_archive_reads_them(
    accounts: dict[str, ServiceAccess],
) -> None:
    """The commands that carry a customer's photos (the test above checks every service's rights alike)."""
    assert "archive.photos" in accounts["archive"].queues
    for name, may in (("intake", True), ("dispatch", False), ("console", False)):
        url = accounts[name].amqp_url
        publish = _publishing(topology.QUEUES_EXCHANGE, "archive.photos", broker_user(url))
        assert await refused_by_broker(url, publish, confirm=True) is not may, name


async def test_an_event_sent_straight_to_a_queue_by_another_user_is_dead_lettered_and_an_operator_may_replay_it(
    accounts: dict[str, ServiceAccess],
) -> None:
    """No service's user may write to a queue by name (above); a user with that right, here the test's
    own administrator, is still not taken for the producer the envelope names."""
    dispatch = accounts["dispatch"]
    vhost = urlsplit(dispatch.amqp_url).path
    administrator = AMQP_BASE_URL.rstrip("/") + vhost
    settings = services.definition("dispatch").settings_class(
        database_url=dispatch.database_url, amqp_url=dispatch.amqp_url, auth_public_key=PUBLIC_KEY
    )
    runtime = ServiceRuntime(services.definition("dispatch"), settings)
    await runtime.start()
    try:
        forged = opened_at_load_site(f"LOAD1-20261127-F{uuid.uuid4().hex[:4]}")
        await send(
            administrator,
            forged.model_dump_json().encode(),
            exchange="",
            routing_key="dispatch.inbox",
            message_id=str(forged.message_id),
            user_id=broker_user(administrator),
        )

        async def dead() -> list[DeadLetter]:
            letters = await list_dead_letters(dispatch.amqp_url, "dispatch.inbox")
            return [letter for letter in letters if letter.message_id == str(forged.message_id)]

        [letter] = await eventually(dead, what="the forged ticket.opened dead-lettered")
        assert letter.reason == "forged_producer"
        assert broker_user(administrator) in letter.detail

        # Replayed by the operator with dispatch's own user, through its retry queue: taken this time.
        assert await replay_dead_letters(dispatch.amqp_url, "dispatch.inbox", message_id=str(forged.message_id)) == 1

        async def taken() -> bool:
            async with runtime.database.connect() as connection:
                found = await connection.scalar(
                    text(f'SELECT count(*) FROM "{dispatch.schema}".tickets WHERE ticket_id = :t'),
                    {"t": forged.payload.ticket_id},
                )
            return found == 1

        await eventually(taken, timeout=30, what="the replayed ticket.opened handled")

        # A service's user may bind one shared exchange to another: what it routes in that way still
        # arrives through the exchange it was published to, and is taken for what it is.
        sla = accounts["sla"]
        smuggled = opened_at_load_site(f"LOAD1-20261127-S{uuid.uuid4().hex[:4]}")
        connection = await aio_pika.connect(sla.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            dead_letters = await channel.get_exchange(topology.DEAD_LETTER_EXCHANGE, ensure=False)
            events = await channel.get_exchange(topology.EVENTS_EXCHANGE, ensure=False)
            await events.bind(dead_letters, routing_key="ticket.opened")
            try:
                message = aio_pika.Message(smuggled.model_dump_json().encode(), message_id=str(smuggled.message_id))
                await dead_letters.publish(message, routing_key="ticket.opened")

                async def smuggled_dead() -> list[DeadLetter]:
                    letters = await list_dead_letters(dispatch.amqp_url, "dispatch.inbox")
                    return [letter for letter in letters if letter.message_id == str(smuggled.message_id)]

                [letter] = await eventually(smuggled_dead, what="the smuggled ticket.opened dead-lettered")
                assert letter.reason == "forged_producer"
                assert topology.DEAD_LETTER_EXCHANGE in letter.detail
            finally:
                await events.unbind(dead_letters, routing_key="ticket.opened")
    finally:
        await runtime.stop()


def test_every_event_of_the_catalogue_is_published_by_exactly_one_service() -> None:
    declared = {name: services.definition(name).publishes for name in services.NAMES}
    assert all(events is not None for events in declared.values()), "a service publishes unchecked"
    producers = Counter(event.message_type for events in declared.values() for event in events or ())
    assert set(producers) == {event.message_type for event in EVENTS}
    assert [t for t, count in producers.items() if count > 1] == []
    assert re.fullmatch(events_pattern(["sla.met", "sla.breached"]), "sla.met")
    assert not re.fullmatch(events_pattern(["sla.met"]), "sla.metx")
    assert events_pattern([]) == "^$"


def test_broker_permissions_name_exactly_the_own_queues_and_the_shared_exchanges() -> None:
    permissions = broker_permissions(["dispatch.inbox"])
    for allowed in ("dispatch.inbox", "dispatch.inbox.retries", "dispatch.inbox.dead", "aftercare.events"):
        assert re.fullmatch(permissions.read, allowed)
    for refused in ("intake.requests", "dispatch.inbox2", "xdispatch.inbox", "sla.inbox.dead"):
        assert not re.fullmatch(permissions.configure, refused)
        assert not re.fullmatch(permissions.read, refused)
    assert re.fullmatch(permissions.write, topology.QUEUES_EXCHANGE)
    assert not re.fullmatch(permissions.write, "amq.default")
    by_name = queues_pattern(["dispatch.inbox"], ["intake.requests"])
    assert [key for key in ("dispatch.inbox.retries", "intake.requests", "dispatch.inbox", "sla.inbox.retries",
                            "intake.requests.retries", "dispatch.inbox.retry") if re.fullmatch(by_name, key)] == [
        "dispatch.inbox.retries", "intake.requests"]  # fmt: skip
