"""The webhooks' rules as plain functions: the signature and its checks, the retry schedule and when a
delivery is given up, and which subscription takes which event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.webhooks.domain import signing
from services.webhooks.domain.subscriptions import site_of, wants
from shared.backoff import next_attempt

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def test_a_signature_checks_out_only_for_its_body_secret_and_time() -> None:
    body = b'{"type": "ticket.opened"}'
    header = signing.sign("whsec_one", 1_795_771_234, body)
    assert header.startswith("t=1795771234,v1=")
    assert signing.verify("whsec_one", header, body, now=1_795_771_234 + 60)
    assert not signing.verify("whsec_two", header, body, now=1_795_771_234)
    assert not signing.verify("whsec_one", header, body + b" ", now=1_795_771_234)
    assert not signing.verify("whsec_one", header, body, now=1_795_771_234 + 301)  # a capture replayed later
    assert not signing.verify("whsec_one", "v1=abc", body, now=1_795_771_234)
    assert signing.new_secret() != signing.new_secret()


def test_failed_deliveries_are_tried_less_and_less_often_for_a_day() -> None:
    first = NOW
    assert next_attempt(1, first, NOW, DAY) == NOW + timedelta(seconds=10)
    assert next_attempt(3, first, NOW, DAY) == NOW + timedelta(minutes=2)
    assert next_attempt(12, first, NOW + timedelta(hours=20), DAY) == NOW + timedelta(hours=22)
    assert next_attempt(13, first, NOW + timedelta(hours=23), DAY) is None  # the day is over: given up


@pytest.mark.parametrize(
    ("types", "event", "taken"),
    [([], "sla.breached", True), (["ticket.*"], "ticket.opened", True), (["ticket.*"], "sla.breached", False),
     (["sla.breached"], "sla.breached", True), (["ticket.*"], "tickets.x", False)],
)  # fmt: skip
def test_which_subscription_takes_which_event(types: list[str], event: str, taken: bool) -> None:
    assert wants(types, event) is taken


def test_the_site_of_an_event() -> None:
    assert site_of({"site_code": "HH138", "ticket_id": "LOAD1-20261127-0001"}) == "HH138"
    assert site_of({"ticket_id": "LOAD1-20261127-0001"}) == "LOAD1"
    assert site_of({"case_number": "VC-000001"}) is None
