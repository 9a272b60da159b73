"""Webhooks over the real broker and database, delivering to a local receiver over HTTP: a site's
events reach its subscriber signed (checked by a receiver written from docs/webhooks.md alone), never
another site's, a duplicated event once; a receiver that keeps failing is tried again, given up on,
paused and announced; a delivery is replayed on demand; a representative subscribes only for their site;
a receiver of `sla.clock_started` still gets one per clock, now that the clocks are announced together."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from services.webhooks.db import repository
from services.webhooks.delivery import Deliverer
from services.webhooks.settings import WebhooksSettings
from shared.backoff import next_attempt
from shared.contracts import SlaClockStarted, TicketAssigned, TicketAwaitingAssignment
from shared.identity import Role
from testkit.broker import EventTap, send_envelopes
from testkit.clock_events import clocks_started
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.receivers import Receiver, http_receiver
from testkit.samples import from_dispatch, opened_envelope
from testkit.waiting import eventually, stays
from testkit.world import World

REPRESENTATIVE = bearer("xu.jing", Role.CUSTOMER, site_code="HH138")


def genuine(secret: str, header: str, body: bytes) -> bool:
    """The check docs/webhooks.md gives a receiver's developer, as written there."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) <= 300


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with http_receiver() as kept:
        yield kept


@pytest.fixture
async def webhooks(seeded: World) -> AsyncIterator[RunningService]:
    # The local receiver is inside: allowed as a deployment allows its own network (tests/test_webhook_egress.py).
    async with running(
        seeded, "webhooks", delivery_tick_seconds=0.2, give_up_after_hours=15 / 3600, allowed_networks=["127.0.0.0/8"]
    ) as suite:
        yield suite["webhooks"]


async def _subscribe(webhooks: RunningService, receiver: Receiver, **terms: Any) -> dict[str, Any]:
    answer = await webhooks.http.post(
        "/subscriptions", json={"site_code": "HH138", "url": receiver.url, **terms}, headers=REPRESENTATIVE
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def test_a_sites_events_reach_its_receiver_signed_and_once(
    seeded: World, webhooks: RunningService, receiver: Receiver
) -> None:
    subscription = await _subscribe(webhooks, receiver, event_types=["ticket.*"])
    ours = opened_envelope(f"HH138-20261127-{uuid.uuid4().hex[:4]}")
    theirs = opened_envelope(f"LOAD1-20261127-{uuid.uuid4().hex[:4]}", site_code="LOAD1", site_name="Load test plaza")
    await send_envelopes(seeded.amqp_url, [ours, theirs, ours])  # ours arrives twice

    async def delivered() -> list:
        assert receiver.received
        return receiver.received

    [(headers, body)] = await eventually(delivered, timeout=20, what="the delivery")
    await stays(lambda: _exactly(receiver, 1), what="no second copy, nor the other site's event")
    assert genuine(subscription["secret"], headers["aftercare-signature"], body)
    assert not genuine("whsec_someone-else", headers["aftercare-signature"], body)
    assert headers["aftercare-event"] == "ticket.opened"
    assert f'"{ours.message_id}"' in body.decode()

    deliveries = (
        await webhooks.http.get(f"/subscriptions/{subscription['id']}/deliveries", headers=REPRESENTATIVE)
    ).json()
    assert [(d["status"], d["attempts"], d["last_status"]) for d in deliveries] == [("delivered", 1, 200)]
    again = await webhooks.http.post(f"/deliveries/{deliveries[0]['id']}/replay", headers=REPRESENTATIVE)
    assert again.status_code == 200
    await eventually(lambda: _count(receiver, 2), timeout=10, what="the replay")
    assert receiver.received[1][0]["aftercare-delivery"] == headers["aftercare-delivery"]

    elsewhere = await webhooks.http.post(
        "/subscriptions", json={"site_code": "LOAD1", "url": receiver.url}, headers=REPRESENTATIVE
    )
    assert (elsewhere.status_code, elsewhere.json()["error"]) == (403, "other_site")


async def test_a_receiver_that_keeps_failing_is_paused_and_announced(
    seeded: World, webhooks: RunningService, receiver: Receiver, tap: EventTap
) -> None:
    receiver.answer = 503
    subscription = await _subscribe(webhooks, receiver)
    opened = opened_envelope(f"HH138-20261127-{uuid.uuid4().hex[:4]}")
    await send_envelopes(seeded.amqp_url, [opened])
    [paused] = await tap.wait_for("webhook.paused", subscription["id"], timeout=45)  # tried at 0 s and 10 s
    assert paused["payload"]["owner"] == "xu.jing"
    deliveries = (
        await webhooks.http.get(f"/subscriptions/{subscription['id']}/deliveries", headers=REPRESENTATIVE)
    ).json()
    [given_up] = [d for d in deliveries if d["message_id"] == str(opened.message_id)]
    assert (given_up["status"], given_up["last_status"]) == ("given_up", 503)
    assert given_up["attempts"] >= 2  # tried again before giving up
    listed = (await webhooks.http.get("/subscriptions", params={"site_code": "HH138"}, headers=REPRESENTATIVE)).json()
    [shown] = [s for s in listed if s["id"] == subscription["id"]]
    assert shown["paused_at"] is not None
    assert "secret" not in shown

    # Paused: a new event is not delivered, nor is a delivery sent again; resumed, both are.
    tried = len(receiver.received)
    receiver.answer = 200
    await send_envelopes(seeded.amqp_url, [opened_envelope(f"HH138-20261127-{uuid.uuid4().hex[:4]}")])
    replayed = await webhooks.http.post(f"/deliveries/{given_up['id']}/replay", headers=REPRESENTATIVE)
    assert replayed.status_code == 200
    await stays(lambda: _exactly(receiver, tried), what="nothing delivered while paused")
    assert (
        await webhooks.http.post(f"/subscriptions/{subscription['id']}/resume", headers=REPRESENTATIVE)
    ).status_code == 200
    await send_envelopes(seeded.amqp_url, [opened_envelope(f"HH138-20261127-{uuid.uuid4().hex[:4]}")])
    await eventually(lambda: _count(receiver, tried + 2), timeout=10, what="the replay and a new event delivered")


async def test_a_process_whose_clock_is_ahead_of_the_databases_still_tries_again(
    webhooks: RunningService, receiver: Receiver
) -> None:
    """The deliverer gives up a while after a delivery was made, measured by the clock it tries by (its
    process's): a process two days ahead of the database's clock tries a failing receiver again."""
    subscription = await _subscribe(webhooks, receiver)
    ahead = datetime.now(UTC) + timedelta(days=2)  # not due for the running deliverer, on the real clock
    async with webhooks.runtime.engine.begin() as connection:
        await repository.add_delivery(
            connection, uuid.UUID(subscription["id"]), uuid.uuid4(), "ticket.opened", "{}", ahead
        )
        [made] = await repository.deliveries_of(connection, uuid.UUID(subscription["id"]), 10)
    settings = cast(WebhooksSettings, webhooks.runtime.settings)
    give_up_after = Deliverer(webhooks.runtime.database, settings).give_up_after
    assert made["created_at"] == ahead
    assert next_attempt(1, made["created_at"], ahead + timedelta(seconds=1), give_up_after) is not None


async def _count(receiver: Receiver, at_least: int) -> bool:
    return len(receiver.received) >= at_least


async def _exactly(receiver: Receiver, count: int) -> bool:
    return len(receiver.received) == count


async def test_a_delivery_replayed_days_later_is_tried_again_for_a_day(
    webhooks: RunningService, receiver: Receiver
) -> None:
    """Replayed, an old delivery the receiver still refuses is tried again, not given up on at once."""
    receiver.answer = 503
    subscription = await _subscribe(webhooks, receiver)
    days_ago = datetime.now(UTC) - timedelta(days=3)
    event = opened_envelope(f"HH138-20261127-{uuid.uuid4().hex[:4]}")
    async with webhooks.runtime.engine.begin() as connection:
        await repository.add_delivery(
            connection, uuid.UUID(subscription["id"]), event.message_id, event.type, event.model_dump_json(), days_ago
        )
        [old] = await repository.deliveries_of(connection, uuid.UUID(subscription["id"]), 10)
        await repository.set_delivery(connection, old["id"], status="given_up", next_attempt_at=None, attempts=9)
    replayed = await webhooks.http.post(f"/deliveries/{old['id']}/replay", headers=REPRESENTATIVE)
    assert replayed.status_code == 200

    async def tried_again() -> dict[str, Any] | None:
        async with webhooks.runtime.engine.connect() as connection:
            [row] = await repository.deliveries_of(connection, uuid.UUID(subscription["id"]), 10)
        return row if row["attempts"] >= 1 and row["last_status"] == 503 else None

    row = await eventually(tried_again, timeout=15, what="the replayed delivery tried")
    assert row is not None
    assert (row["status"], row["attempts"]) == ("pending", 1)


async def test_a_receiver_gets_the_customers_view_of_each_event_and_no_staff_only_event(
    seeded: World, webhooks: RunningService, receiver: Receiver
) -> None:
    """The receiver is the customer's own system (shared/contracts/visibility.py)."""
    subscription = await _subscribe(webhooks, receiver, event_types=["ticket.*"])
    ticket = f"HH138-20261127-{uuid.uuid4().hex[:4]}"
    now = datetime.now(UTC)
    waiting = TicketAwaitingAssignment(
        ticket_id=ticket, site_code="HH138", subsystem="bgm", since=now, why="E01 on leave; E02 full (STAFF-ONLY)"
    )
    reassigned = TicketAssigned(
        ticket_id=ticket, site_code="HH138", subsystem="bgm", engineer_id="E02", engineer_name="李娜 Li Na",
        rule="manual", assigned_at=now, previous_engineer_id="E01", reason="王磊在静安另一个商场处理故障", actor="刘洋",
    )  # fmt: skip
    await send_envelopes(seeded.amqp_url, [from_dispatch(waiting), from_dispatch(reassigned)])

    async def delivered() -> list:
        assert receiver.received
        return receiver.received

    [(headers, body)] = await eventually(delivered, timeout=20, what="the assignment delivered")
    await stays(lambda: _count_exactly(receiver, 1), seconds=1.0, what="the staff-only event never delivered")
    assert headers["aftercare-event"] == "ticket.assigned"
    assert genuine(subscription["secret"], headers["aftercare-signature"], body)
    payload = json.loads(body)["payload"]
    assert (payload["engineer_name"], payload["ticket_id"]) == ("李娜 Li Na", ticket)
    for staff_only in ("reason", "rule", "actor", "previous_engineer_id"):
        assert staff_only not in payload
    assert "王磊" not in body.decode()


async def _count_exactly(receiver: Receiver, expected: int) -> bool:
    return len(receiver.received) == expected


async def test_a_staff_only_delivery_stored_before_the_customers_view_is_withheld(
    webhooks: RunningService, receiver: Receiver
) -> None:
    """Deliveries kept from before the customer's view existed hold whole events: they are cut (or, for the
    staff's alone, withheld) when sent, a replay included."""
    subscription = await _subscribe(webhooks, receiver)
    waiting = from_dispatch(
        TicketAwaitingAssignment(
            ticket_id=f"HH138-20261127-{uuid.uuid4().hex[:4]}", site_code="HH138", subsystem="bgm",
            since=datetime.now(UTC), why="E01 on leave (STAFF-ONLY)",
        )
    )  # fmt: skip
    async with webhooks.runtime.engine.begin() as connection:
        await repository.add_delivery(
            connection, uuid.UUID(subscription["id"]), waiting.message_id, waiting.type, waiting.model_dump_json(),
            datetime.now(UTC),
        )  # fmt: skip

    async def withheld() -> dict:
        [delivery] = (
            await webhooks.http.get(f"/subscriptions/{subscription['id']}/deliveries", headers=REPRESENTATIVE)
        ).json()
        assert delivery["status"] == "withheld", delivery
        return dict(delivery)

    delivery = await eventually(withheld, timeout=20, what="the old staff-only delivery withheld")
    assert delivery["last_error"].startswith("withheld")
    assert receiver.received == []


async def test_a_receiver_of_sla_clock_started_still_gets_one_per_clock_in_its_shape(
    webhooks: RunningService, receiver: Receiver, seeded: World
) -> None:
    """The SLA service announces a ticket's clocks together (`sla.clocks_started`); a subscription to the
    old `sla.clock_started` gets one delivery per clock as before, one naming the new type the one event."""
    old = await _subscribe(webhooks, receiver, event_types=["sla.clock_started"])
    new = await _subscribe(webhooks, receiver, event_types=["sla.clocks_started"])
    together = clocks_started(f"HH138-20261127-{uuid.uuid4().hex[:4]}")
    await send_envelopes(seeded.amqp_url, [together, together])  # heard twice: delivered once

    await eventually(lambda: _count(receiver, 4), timeout=20, what="three clocks and the one event")
    await stays(lambda: _exactly(receiver, 4), what="nothing more for the event heard twice")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for headers, body in receiver.received:
        secret = old["secret"] if headers["aftercare-event"] == "sla.clock_started" else new["secret"]
        assert genuine(secret, headers["aftercare-signature"], body)
        by_type.setdefault(headers["aftercare-event"], []).append(json.loads(body))
    assert sorted(e["payload"]["clock"] for e in by_type["sla.clock_started"]) == ["on_site", "resolution", "response"]
    for each in by_type["sla.clock_started"]:
        assert each["type"] == "sla.clock_started"
        SlaClockStarted.model_validate(each["payload"])  # the shape its receivers were written for
    [one] = by_type["sla.clocks_started"]
    assert (one["message_id"], len(one["payload"]["clocks"])) == (str(together.message_id), 3)
