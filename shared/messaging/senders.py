"""Who sent a message, as far as the broker vouches for it: the `user_id` it checked, the exchange the
message was published to and the key it was published with; and whether that fits what the message says.
"""

from __future__ import annotations

from typing import Any

from shared.messaging.topology import EVENTS_EXCHANGE, QUEUES_EXCHANGE
from shared.messaging.unit_of_work import Delivery

FIRST_DELIVERY_HEADER = "x-aftercare-first-delivery"


def first_delivery(raw: Any, headers: dict[str, Any], *, own_user: str) -> Delivery:
    """How the message first arrived. A retry is published again by the service's own user and comes
    back through `aftercare.queues` under its queue's name, carrying how it first came (who sent it,
    through which exchange, with which key) in a header. Only the service's own user may send to its
    retry queue, so the header is believed only from there."""
    arrived = Delivery(sender=raw.user_id, routing_key=raw.routing_key, exchange=raw.exchange)
    first = headers.get(FIRST_DELIVERY_HEADER)
    if arrived.exchange == QUEUES_EXCHANGE and arrived.sender == own_user and isinstance(first, dict):
        return Delivery(
            sender=first.get("sender") or None,
            routing_key=first.get("routing_key") or None,
            exchange=first.get("exchange") or None,
        )
    return arrived


def as_header(delivery: Delivery) -> dict[str, str]:
    return {
        "sender": delivery.sender or "",
        "exchange": delivery.exchange or "",
        "routing_key": delivery.routing_key or "",
    }


def forgery(message_type: str, delivery: Delivery, *, queue_exchange: str, own_user: str) -> str | None:
    """Why the message cannot be what it says, or None. An event is what its routing key says: on
    `aftercare.events` only the producer's broker user may publish with that key (topic permissions).
    On `aftercare.queues` only users allowed the queue's name may publish (its own service, one sending
    it commands). The default exchange is closed to the services' users: what comes through it was
    written by an operator. Through any other exchange (one bound to ours by whoever could), it is forged."""
    exchange, sender = delivery.exchange, delivery.sender
    if exchange == EVENTS_EXCHANGE:
        if delivery.routing_key != message_type:
            return f"a {message_type} published with the routing key {delivery.routing_key!r}"
        return None
    if exchange == QUEUES_EXCHANGE or (exchange == queue_exchange != EVENTS_EXCHANGE):
        return None
    if exchange or sender not in (None, own_user):
        return f"{message_type} arrived through {exchange or 'the default exchange'!r} from {sender!r}"
    return None
