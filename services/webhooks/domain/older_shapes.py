"""Receivers keep what they subscribed to: an event that now tells at once what an older type told one
at a time (`sla.clocks_started`, every clock a ticket starts together) still reaches a subscription to
the older type (`sla.clock_started`) as it did, one delivery for each clock, in the older shape.

The older type goes to every subscription that wants it, by name, by family (`sla.*`) or by taking every
event, as before; the newer one only to a subscription that names it, so that a receiver subscribed
before it existed gets what it got before and not the same clocks twice. A subscription naming both
gets both."""

from __future__ import annotations

import uuid
from typing import Any

from services.webhooks.domain.subscriptions import wants
from shared.contracts import Envelope, SlaClocksStarted, SlaClockStarted
from shared.contracts.envelope import envelope_of

ONE_AT_A_TIME = {SlaClocksStarted.message_type: SlaClockStarted.message_type}
"""An event type that tells several things at once -> the older type that told them one at a time."""


def types_delivered(event_types: list[str], event_type: str) -> list[str]:
    """The types a subscription taking `event_types` gets an event of `event_type` as (none: not for it)."""
    older = ONE_AT_A_TIME.get(event_type)
    if older is None:
        return [event_type] if wants(event_types, event_type) else []
    return [shown for shown, taken in ((older, wants(event_types, older)), (event_type, event_type in event_types))
            if taken]  # fmt: skip


def as_delivered(message: Envelope[Any], event_type: str) -> list[Envelope[Any]]:
    """The event as delivered to a subscription getting it as `event_type`: itself, or in the older type
    the event of each thing it tells, under an id made of the event's and the thing's, so that the event
    heard again makes no delivery anew."""
    if event_type == message.type:
        return [message]
    assert isinstance(message.payload, SlaClocksStarted), f"no older shape of {message.type} as {event_type}"
    return [
        envelope_of(SlaClockStarted)(
            message_id=uuid.uuid5(message.message_id, f"{clock.clock.value}#{clock.cycle}"),
            type=clock.message_type,
            schema_version=clock.schema_version,
            occurred_at=message.occurred_at,
            producer=message.producer,
            correlation_id=message.correlation_id,
            causation_id=message.causation_id,
            payload=clock,
        )
        for clock in message.payload.each_clock()
    ]
