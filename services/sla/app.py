"""Wiring of the SLA service."""

from pathlib import Path

import services.sla
from services.sla import handlers, seed
from services.sla.access import ACCESS
from services.sla.db.tables import metadata
from services.sla.settings import SlaSettings
from shared import contracts
from shared.access_ends import accounts_subscription
from shared.service import ServiceDefinition, Subscription

service = ServiceDefinition(
    name="sla",
    summary=services.sla.__doc__ or "",
    settings_class=SlaSettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=handlers.router,
    access=ACCESS,
    subscriptions=(
        Subscription("sla.inbox", handlers.events),
        accounts_subscription("sla", metadata),
    ),
    workers=(handlers.timer_scheduler, handlers.untold_calendars),
    seed=seed.load_site,
    publishes=(
        contracts.SlaClocksStarted,
        # No longer written, but rows an older release left in the outbox (a replica still running in a
        # rolling upgrade, a crash before the relay sent them) must still go out: a type the broker
        # refused would stop the relay at that row, every later event behind it.
        contracts.SlaClockStarted,
        contracts.SlaClockChanged,
        contracts.SlaWarning,
        contracts.SlaBreached,
        contracts.SlaMet,
        contracts.SlaVendorClockStarted,
        contracts.SlaVendorWarning,
        contracts.SlaVendorBreached,
        contracts.SlaVendorMet,
        contracts.SiteCalendarSet,
    ),
)
