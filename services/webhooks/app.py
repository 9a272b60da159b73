"""Wiring of the webhooks service."""

from pathlib import Path

import services.webhooks
from services.webhooks import fan_out, handlers
from services.webhooks.access import ACCESS
from services.webhooks.db.tables import metadata
from services.webhooks.delivery import deliverer
from services.webhooks.settings import WebhooksSettings
from services.webhooks.subscribed_sites import subscribed_sites
from shared.access_ends import accounts_subscription
from shared.contracts.webhooks import WebhookPaused
from shared.service import ServiceDefinition, Subscription

service = ServiceDefinition(
    name="webhooks",
    summary=services.webhooks.__doc__ or "",
    settings_class=WebhooksSettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=handlers.router,
    access=ACCESS,
    subscriptions=(
        Subscription("webhooks.inbox", fan_out.events, concerns=fan_out.concerns_a_subscriber),
        accounts_subscription("webhooks", metadata),
    ),
    workers=(deliverer, subscribed_sites),
    publishes=(WebhookPaused,),
)
