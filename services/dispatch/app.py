"""Wiring of the dispatch service."""

from pathlib import Path

import services.dispatch
from services.dispatch import recurring, routes, seed
from services.dispatch.access import ACCESS
from services.dispatch.db.tables import metadata
from services.dispatch.inspections.visits import INTAKE_QUEUE
from services.dispatch.notices import handlers as notices
from services.dispatch.roster import lookups as roster_lookups
from services.dispatch.settings import DispatchSettings
from services.dispatch.tickets import handlers as tickets
from services.dispatch.tickets import lookups as ticket_lookups
from shared import contracts
from shared.access_ends import accounts_subscription
from shared.contracts.notices import NoticeDecided
from shared.service import ServiceDefinition, Subscription

service = ServiceDefinition(
    name="dispatch",
    summary=services.dispatch.__doc__ or "",
    settings_class=DispatchSettings,
    metadata=metadata,
    migrations_dir=Path(__file__).parent / "db" / "migrations",
    router=routes.router,
    access=ACCESS,
    subscriptions=(
        Subscription("dispatch.inbox", tickets.events),
        Subscription(
            "dispatch.notices",
            notices.notice_handlers(ticket_lookups.ticket_facts, roster_lookups.on_duty),
            retired_keys=("webhook.paused",),  # its owner is told by notify since issue 25
        ),
        accounts_subscription("dispatch", metadata),
    ),
    seed=seed.load_site,
    workers=(recurring.recurring_work,),
    sends=(INTAKE_QUEUE,),
    publishes=(
        contracts.TicketAssigned,
        contracts.TicketAwaitingAssignment,
        contracts.TicketAtRisk,
        contracts.TicketPaged,
        contracts.ComplaintRouted,
        contracts.TicketEscalationNeeded,
        contracts.TicketAccepted,
        contracts.TicketOnSite,
        contracts.TicketPaused,
        contracts.TicketResumed,
        contracts.TicketResolved,
        contracts.TicketReopened,
        contracts.TicketClosed,
        contracts.TicketNoted,
        contracts.TicketLinked,
        contracts.DeviceSwapped,
        contracts.FollowUpDue,
        contracts.FollowUpMissed,
        contracts.FollowUpRecorded,
        contracts.QualityCaseOpened,
        contracts.QualityCaseEscalated,
        contracts.QualityCaseAnswered,
        contracts.SiteReviewed,
        contracts.InspectionVisitOpened,
        contracts.InspectionVisitCompleted,
        contracts.InspectionVisitOverdue,
        contracts.InspectionVisitMissed,
        NoticeDecided,
    ),
)
