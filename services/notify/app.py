"""Wiring of the notify service."""

from pathlib import Path

import services.notify
from services.notify import handlers, seed, telling
from services.notify.access import ACCESS
from services.notify.db.tables import metadata
from services.notify.receipts import receipt_poller
from services.notify.sender import notification_sender
from services.notify.settings import NotifySettings
from shared.access_ends import accounts_subscription
from shared.service import ServiceDefinition, Subscription

service = ServiceDefinition(
    name="notify",
    summary=services.notify.__doc__ or "",
    settings_class=NotifySettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=handlers.router,
    access=ACCESS,
    subscriptions=(
        Subscription("notify.inbox", telling.notice_handlers),
        accounts_subscription("notify", metadata),
    ),
    takes_over=("dispatch.contacts", "dispatch.notifications"),  # dispatch kept them before notify was a service
    seed=seed.load_site,
    workers=(notification_sender, receipt_poller),
    publishes=(),
)
