"""Each event on `aftercare.events`, handed to the subscriptions of its site that want its type: one
delivery each, made once however many times the event arrives. The events of a site nobody subscribed
to cost one read (`concerns_a_subscriber`), not a transaction: most sites subscribe nothing.

A receiver is the customer's own system: it gets the customer's view of each event, and no event that
is the staff's alone (shared/contracts/visibility.py); the view is cut when a delivery is sent
(delivery.py), so that a delivery kept from before a change of the rule is cut by the rule of the day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.webhooks.db import repository
from services.webhooks.domain.subscriptions import site_of, wants
from shared.contracts import Envelope
from shared.contracts.catalogue import EVENTS
from shared.contracts.visibility import CUSTOMER_SEES, customer_view
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.service_database import ServiceDatabase


async def concerns_a_subscriber(message: Envelope[Any], database: ServiceDatabase) -> bool:
    site = site_of(message.payload.model_dump(mode="json"))
    if site is None or message.type not in CUSTOMER_SEES:
        return False  # an event of no site (a partner's reply), or of a kind the staff's alone
    async with database.glance() as connection:
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
