"""Each event on `aftercare.events`, handed to the subscriptions of its site that want its type: one
delivery each, made once however many times the event arrives. The events of a site nobody subscribed
to cost no transaction and no read: the process knows the subscribed sites (subscribed_sites.py), and
asks the database only while it does not (`concerns_a_subscriber`). Most sites subscribe nothing.

A receiver is the customer's own system: it gets the customer's view of each event, and no event that
is the staff's alone (shared/contracts/visibility.py); the view is cut when a delivery is sent
(delivery.py), so that a delivery kept from before a change of the rule is cut by the rule of the day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.webhooks import subscribed_sites
from services.webhooks.db import repository
from services.webhooks.domain.subscriptions import site_of, wants
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
        return any(wants(types, message.type) for types in known)
    async with database.glance() as connection:  # not known this moment: asked as it was before the copy
        wanted = await repository.LISTENING_TYPES.execute(connection, {"site_code": site})
        return any(wants(types, message.type) for (types,) in wanted)


async def hand_out(message: Envelope[Any], uow: UnitOfWork) -> None:
    payload = message.payload.model_dump(mode="json")
    site = site_of(payload)
    if site is None or customer_view(message.type, payload) is None:
        return  # an event of no site (a partner's reply), or the staff's alone
    now = datetime.now(UTC)
    body = message.model_dump_json(warnings=False)  # the event as sent: cut to the customer's view when sent
    for subscription in await repository.listening(uow.connection, site):
        if wants(subscription.event_types, message.type):
            await repository.add_delivery(uow.connection, subscription.id, message.message_id, message.type, body, now)


events = MessageHandlers()
for contract in EVENTS:
    events.on(contract)(hand_out)
