"""Wiring of the console service."""

import re
from pathlib import Path

import services.console
from services.console import handlers
from services.console.access import ACCESS
from services.console.db.tables import metadata
from services.console.seed import load_people
from services.console.settings import ConsoleSettings
from services.console.web import router as pages
from services.console.web.live import QUEUE_PREFIX, live_feed
from services.console.web.names import names_for
from services.console.web.upstream import upstream_for
from shared.access_ends import accounts_subscription
from shared.contracts.accounts import AccountChanged
from shared.service import ServiceDefinition

service = ServiceDefinition(
    name="console",
    summary=services.console.__doc__ or "",
    settings_class=ConsoleSettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=handlers.router,
    access=ACCESS,
    seed=load_people,
    pages=pages,
    static_dir=Path(__file__).parent / "web" / "static",
    workers=(upstream_for, live_feed, names_for),
    broker_resources=(re.escape(QUEUE_PREFIX) + r"[0-9a-f-]{36}",),
    subscriptions=(accounts_subscription("console", metadata),),
    publishes=(AccountChanged,),
)
