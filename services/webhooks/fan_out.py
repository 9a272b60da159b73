"""Each event on `aftercare.events`, handed to the subscriptions of its site that want its type: one
delivery each, made once however many times the event arrives. The events of a site nobody subscribed
to cost no transaction and no read: the process knows the subscribed sites (subscribed_sites.py), and
asks the database only while it does not (`concerns_a_subscriber`). Most sites subscribe nothing.

A receiver is the customer's own system: it gets the customer's view of each event, and no event that
is the staff's alone (shared/contracts/visibility.py); the view is cut when a delivery is sent
(delivery.py), so that a delivery kept from before a change of the rule is cut by the rule of the day.
A subscription to an older type gets the newer event that replaced it in the older shape
(domain/older_shapes.py: `sla.clock_started`, one per clock, made from `sla.clocks_started`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from services.webhooks import subscribed_sites
from services.webhooks.db import repository
from services.webhooks.domain.older_shapes import as_delivered, types_delivered
from services.webhooks.domain.subscriptions import site_of
from shared.contracts import Envelope
from shared.contracts.catalogue import EVENTS
from shared.contracts.visibility import CUSTOMER_SEES, customer_view
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.service_database import ServiceDatabase


async def concerns_a_subscriber(message: Envelope[Any], database: ServiceDatabase) -> bool:
    if message.type not in CUSTOMER_SEES:
        return False  # of a kind the staff's alone
    # The payload's own fields, not a dump of it: the site and ticket are plain strings either way.
    site = site_of(vars(message.payload))
    if site is None:
        return False  # an event of no site (a partner's reply)
    sites = subscribed_sites.of(database)
    known = None if sites is None else sites.event_types(site)
    if known is not None:
        return any(types_delivered(types, message.type) for types in known)
    async with database.glance() as connection:  # not known this moment: asked as it was before the copy
        wanted = await repository.LISTENING_TYPES.execute(connection, {"site_code": site})
        return any(types_delivered(types, message.type) for (types,) in wanted)


async def hand_out(message: Envelope[Any], uow: UnitOfWork) -> None:
    payload = message.payload.model_dump(mode="json")
    site = site_of(payload)
    if site is None or customer_view(message.type, payload) is None:
        return  # an event of no site (a partner's reply), or the staff's alone
    now = datetime.now(UTC)
    shapes: dict[str, list[tuple[uuid.UUID, str]]] = {}  # each type the event goes out as, made once
    for subscription in await repository.listening(uow.connection, site):
        for event_type in types_delivered(subscription.event_types, message.type):
            if event_type not in shapes:
                # The event as sent (or in an older type's shape): cut to the customer's view when sent.
                shapes[event_type] = [
                    (sent.message_id, sent.model_dump_json(warnings=False))
                    for sent in as_delivered(message, event_type)
                ]
            for message_id, body in shapes[event_type]:
                await repository.add_delivery(uow.connection, subscription.id, message_id, event_type, body, now)


events = MessageHandlers()
for contract in EVENTS:
    events.on(contract)(hand_out)
