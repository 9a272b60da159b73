"""Wiring of the vendor service."""

import re
from pathlib import Path

import services.vendor
from services.vendor import handlers
from services.vendor.access import ACCESS
from services.vendor.db.tables import metadata
from services.vendor.partner_topology import REPLIES_EXCHANGE, REPLIES_QUEUE, REQUESTS_EXCHANGE
from services.vendor.replies import tell_partner
from services.vendor.settings import VendorSettings
from shared import contracts
from shared.access_ends import accounts_subscription
from shared.service import ServiceDefinition, Subscription

service = ServiceDefinition(
    name="vendor",
    summary=services.vendor.__doc__ or "",
    settings_class=VendorSettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=handlers.router,
    access=ACCESS,
    subscriptions=(
        Subscription("vendor.inbox", handlers.events),
        Subscription(
            REPLIES_QUEUE,
            handlers.replies,
            exchange=REPLIES_EXCHANGE,
            binding_keys=("#",),
            on_dead_letter=tell_partner,
        ),
        accounts_subscription("vendor", metadata),
    ),
    # The partners' exchanges and every queue named vendor.*: its partners' queues are the vendor
    # service's to declare and feed (no other service's queue starts with "vendor.").
    broker_resources=(re.escape(REQUESTS_EXCHANGE), re.escape(REPLIES_EXCHANGE), r"vendor\..+"),
    publishes=(
        contracts.VendorEscalationSent,
        contracts.VendorEscalationProgressed,
        contracts.VendorEscalationClosed,
    ),
)
