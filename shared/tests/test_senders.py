"""Whether a message can be what it says, from what the broker vouches for; and how a retried message
keeps the sender, exchange and key it first came with (a partner's reply must still be the partner's)."""

from __future__ import annotations

from types import SimpleNamespace

from shared.messaging.senders import FIRST_DELIVERY_HEADER, as_header, first_delivery, forgery
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, QUEUES_EXCHANGE
from shared.messaging.unit_of_work import Delivery

REPLIES = "aftercare.vendor-replies"


def _forged(exchange: str | None, sender: str | None, key: str | None = "ticket.opened") -> str | None:
    delivery = Delivery(sender=sender, routing_key=key, exchange=exchange)
    return forgery("ticket.opened", delivery, queue_exchange=EVENTS_EXCHANGE, own_user="dispatch")


def test_what_passes_and_what_is_forged() -> None:
    assert _forged(EVENTS_EXCHANGE, "intake") is None
    assert _forged(EVENTS_EXCHANGE, "intake", key="ticket.closed") is not None  # another event's key
    assert _forged(QUEUES_EXCHANGE, "dispatch", key="dispatch.inbox") is None  # a retry, a command
    assert _forged("", None) is None  # an operator's replay through the default exchange
    assert _forged("", "guest") is not None  # someone else writing straight to the queue
    assert "aftercare.dead-letters" in (_forged(DEAD_LETTER_EXCHANGE, None) or "")  # routed in by a binding
    reply = Delivery(sender="partner-acme", routing_key="acme.acknowledged", exchange=REPLIES)
    assert forgery("vendor.reply.acknowledged", reply, queue_exchange=REPLIES, own_user="vendor") is None


def _raw(sender: str, exchange: str, key: str) -> SimpleNamespace:
    return SimpleNamespace(user_id=sender, exchange=exchange, routing_key=key)


def test_a_retry_keeps_how_the_message_first_came_and_only_a_retry_may_say_so() -> None:
    first = Delivery(sender="partner-acme", routing_key="acme.acknowledged", exchange=REPLIES)
    header = {FIRST_DELIVERY_HEADER: as_header(first)}
    retried = _raw("vendor", QUEUES_EXCHANGE, "vendor.replies")
    assert first_delivery(retried, header, own_user="vendor") == first
    # The same header from anyone else, or through another exchange, is not believed.
    assert first_delivery(_raw("partner-acme", REPLIES, "acme.x"), header, own_user="vendor").sender == "partner-acme"
    assert first_delivery(_raw("guest", QUEUES_EXCHANGE, "vendor.replies"), header, own_user="vendor").sender == "guest"
    assert first_delivery(retried, {}, own_user="vendor").sender == "vendor"
