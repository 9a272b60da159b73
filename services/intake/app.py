"""Wiring of the intake service."""

from pathlib import Path

import services.intake
from services.intake import handlers, seed
from services.intake.access import ACCESS
from services.intake.db.tables import metadata
from services.intake.mail import replies
from services.intake.mail.mailbox import mailbox_workers
from services.intake.mail.taking import taker
from services.intake.settings import IntakeSettings
from shared import contracts
from shared.access_ends import accounts_subscription
from shared.contracts.photos import PHOTOS_QUEUE
from shared.service import ServiceDefinition, Subscription

service = ServiceDefinition(
    name="intake",
    summary=services.intake.__doc__ or "",
    settings_class=IntakeSettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=handlers.router,
    access=ACCESS,
    subscriptions=(
        Subscription("intake.requests", handlers.command_handlers, bind_events=False),
        Subscription("intake.inbox", handlers.events),
        accounts_subscription("intake", metadata),
    ),
    seed=seed.load_site,
    sends=(PHOTOS_QUEUE,),  # a mail's photos, to the archive as its ticket's
    workers=(mailbox_workers(taker), replies.reply_sender),  # the mailboxes read; the acknowledgements sent
    publishes=(
        contracts.SiteDescribed,
        contracts.EquipmentChanged,
        contracts.TicketOpened,
        contracts.TicketReclassified,
        contracts.TicketRejected,
        contracts.TicketCustomerWrote,
        contracts.MailFloodHeld,  # a flood of mails held back: notify tells the managers
    ),
)
