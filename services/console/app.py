"""Wiring of the console service."""

from pathlib import Path

import services.console
from services.console import handlers
from services.console.access import ACCESS
from services.console.db.tables import metadata
from services.console.seed import load_people
from services.console.settings import ConsoleSettings
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
)
