"""Wiring of the vendor service."""

from pathlib import Path

import services.vendor
from services.vendor import handlers
from services.vendor.db.tables import metadata
from services.vendor.settings import VendorSettings
from shared.service import ServiceDefinition, Subscription

service = ServiceDefinition(
    name="vendor",
    summary=services.vendor.__doc__ or "",
    settings_class=VendorSettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=handlers.router,
    subscriptions=(Subscription("vendor.inbox", handlers.events),),
)
