"""A customer's webhook never reaches inside the deployment, over the real broker and database: a
receiver at a loopback, private, link-local, CGNAT, unique-local, multicast or metadata address is
refused when subscribed, however the address is written; one whose name points inside by the time of a
delivery (a name that changed, a subscription made before the check) is refused then, without a
connection, and the delivery says why. Nothing here leaves the machine: the other ranges are refused
before anything is sent, the delivery-time check is met with names and forms that resolve to loopback."""

from __future__ import annotations

import ipaddress
import socket
import uuid
from collections.abc import AsyncIterator
from functools import partial
from urllib.parse import urlsplit

import pytest

from services.webhooks.db import repository
from shared.identity import Role
from testkit.broker import send_envelopes
from testkit.identities import bearer
from testkit.in_process import running
from testkit.receivers import Receiver, http_receiver
from testkit.samples import opened_envelope
from testkit.waiting import eventually, stays
from testkit.world import World

REPRESENTATIVE = bearer("xu.jing", Role.CUSTOMER, site_code="HH138")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with http_receiver() as kept:
        yield kept


async def test_a_receiver_inside_is_refused_when_subscribed_however_it_is_written(
    seeded: World, receiver: Receiver
) -> None:
    port = urlsplit(receiver.url).port
    inside = [
        receiver.url,
        f"http://[::1]:{port}/aftercare",
        f"http://0.0.0.0:{port}/aftercare",
        f"http://2130706433:{port}/aftercare",
        f"http://0177.0.0.1:{port}/aftercare",
        f"http://0x7f.1:{port}/aftercare",
        f"http://[::ffff:127.0.0.1]:{port}/aftercare",
        f"http://localhost:{port}/aftercare",
        f"http://{socket.gethostname()}:{port}/aftercare",
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://10.0.0.5/",
        "http://172.16.0.1/",
        "https://192.168.1.1/",
        "http://100.64.0.1/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://240.0.0.1/",
        "http://[64:ff9b::a9fe:a9fe]/",
    ]
    async with running(seeded, "webhooks") as suite:
        webhooks = suite["webhooks"]
        for url in inside:
            answer = await webhooks.http.post(
                "/subscriptions", json={"site_code": "HH138", "url": url}, headers=REPRESENTATIVE
            )
            assert (answer.status_code, answer.json()["error"]) == (422, "receiver_not_public"), url
            if urlsplit(url).hostname == socket.gethostname():  # a name: what it resolves to is not said
                assert "127.0.0.1" not in answer.json()["message"], answer.json()
        unknown = await webhooks.http.post(
            "/subscriptions",
            json={"site_code": "HH138", "url": "https://hooks.nowhere.invalid/"},
            headers=REPRESENTATIVE,
        )
        # The same answer as for an internal name: which names exist inside is not told either.
        assert (unknown.status_code, unknown.json()["error"]) == (422, "receiver_not_public")
        listed = (await webhooks.http.get("/subscriptions", params={"site_code": "HH138"})).json()
        assert not [s for s in listed if urlsplit(s["url"]).port == port]
    assert receiver.received == []


async def test_a_receiver_whose_name_points_inside_at_delivery_is_refused_without_a_connection(
    seeded: World, receiver: Receiver
) -> None:
    port = urlsplit(receiver.url).port
    here = socket.gethostname()
    assert {info[4][0] for info in socket.getaddrinfo(here, port)} <= {"127.0.0.1", "127.0.1.1", "::1"}, (
        f"the machine's name {here} is meant to resolve to loopback (/etc/hosts)"
    )
    written = [
        f"http://{here}:{port}/aftercare",
        f"http://2130706433:{port}/aftercare",
        f"http://127.1:{port}/aftercare",
    ]
    written.append(f"http://[::ffff:127.0.0.1]:{port}/aftercare")
    async with running(seeded, "webhooks", delivery_tick_seconds=0.2) as suite:
        webhooks = suite["webhooks"]
        # Written as they were accepted when their names pointed outside, or before the check existed.
        async with webhooks.runtime.engine.begin() as connection:
            made = [
                await repository.add_subscription(
                    connection,
                    site_code="HH138",
                    event_types=["ticket.opened"],
                    url=url,
                    secret="whsec_test",
                    owner="xu.jing",
                )
                for url in written
            ]
        try:
            opened = opened_envelope(f"HH138-20261127-{uuid.uuid4().hex[:4]}")
            await send_envelopes(seeded.amqp_url, [opened])

            async def refused(subscription: uuid.UUID) -> dict:
                deliveries = (await webhooks.http.get(f"/subscriptions/{subscription}/deliveries")).json()
                assert len(deliveries) == 1, deliveries  # made when the event has come through
                [delivery] = deliveries
                assert delivery["attempts"] >= 1
                return dict(delivery)

            for subscription, url in zip(made, written, strict=True):
                delivery = await eventually(partial(refused, subscription), timeout=20, what=f"a try at {url}")
                assert delivery["status"] == "pending"  # tried again later: a name may point outside again
                assert delivery["last_status"] is None
                assert delivery["last_error"] == "refused: private address", (url, delivery["last_error"])

            async def nothing_received() -> bool:
                return not receiver.received

            await stays(nothing_received, seconds=0.5, what="no connection reached the receiver")
        finally:
            for subscription in made:
                await webhooks.http.delete(f"/subscriptions/{subscription}")


async def test_an_allowed_network_is_delivered_to(seeded: World, receiver: Receiver) -> None:
    """A deployment that delivers to an internal system on purpose names its network."""
    network = str(ipaddress.ip_network("127.0.0.0/8"))
    async with running(seeded, "webhooks", delivery_tick_seconds=0.2, allowed_networks=[network]) as suite:
        webhooks = suite["webhooks"]
        answer = await webhooks.http.post(
            "/subscriptions",
            json={"site_code": "HH138", "url": receiver.url, "event_types": ["ticket.opened"]},
            headers=REPRESENTATIVE,
        )
        assert answer.status_code == 201, answer.text
        try:
            await send_envelopes(seeded.amqp_url, [opened_envelope(f"HH138-20261127-{uuid.uuid4().hex[:4]}")])

            async def delivered() -> bool:
                return bool(receiver.received)

            await eventually(delivered, timeout=20, what="the delivery inside the allowed network")
        finally:
            await webhooks.http.delete(f"/subscriptions/{answer.json()['id']}")
