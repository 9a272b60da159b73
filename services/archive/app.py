"""Wiring of the archive service."""

from pathlib import Path

import services.archive
from services.archive import handlers
from services.archive.access import ACCESS
from services.archive.db.tables import metadata
from services.archive.photo_commands import photo_commands
from services.archive.register_calendar import register_calendar
from services.archive.sequencing import sequencer
from services.archive.settings import ArchiveSettings
from services.archive.ticket_list_rebuild import unlisted_tickets
from services.archive.typesetting import typesetter
from shared import contracts
from shared.access_ends import accounts_subscription
from shared.contracts.photos import PHOTOS_QUEUE
from shared.service import ServiceDefinition, Subscription

service = ServiceDefinition(
    name="archive",
    summary=services.archive.__doc__ or "",
    settings_class=ArchiveSettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=handlers.router,
    access=ACCESS,
    subscriptions=(
        # Every event but the archive's own, which it keeps as it files the document; echoes still queued
        # from an earlier release are handled (and find their timeline row kept) until the queue is empty.
        Subscription(
            "archive.inbox",
            handlers.event_handlers,
            binding_keys=handlers.HEARD,
            retired_keys=(contracts.DocumentArchived.message_type,),
        ),
        Subscription(PHOTOS_QUEUE, photo_commands, bind_events=False),  # the customers' photos intake sends
        accounts_subscription("archive", metadata),
    ),
    workers=(sequencer, register_calendar, typesetter, unlisted_tickets),
    database_extensions=("pg_trgm",),  # trigram indexes for searching document text, Chinese included
    publishes=(contracts.DocumentArchived,),
)
