"""Message contracts: the envelope and every event the services exchange."""

from shared.contracts.catalogue import CONTRACTS
from shared.contracts.documents import DocumentArchived
from shared.contracts.envelope import Command, Contract, Envelope, Event, RawEnvelope, seal
from shared.contracts.followups import (
    FollowUpDue,
    FollowUpMissed,
    FollowUpRecorded,
    QualityCaseAnswered,
    QualityCaseEscalated,
    QualityCaseOpened,
    SiteReviewed,
)
from shared.contracts.inspections import (
    InspectionItemResult,
    InspectionVisitCompleted,
    InspectionVisitMissed,
    InspectionVisitOpened,
    InspectionVisitOverdue,
)
from shared.contracts.intake import SubmitServiceRequest
from shared.contracts.lifecycle import (
    TicketAccepted,
    TicketClosed,
    TicketOnSite,
    TicketPaused,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from shared.contracts.sla import ClockKind, SlaBreached, SlaClockStarted, SlaMet, SlaWarning
from shared.contracts.tickets import (
    ComplaintRouted,
    TicketAssigned,
    TicketAtRisk,
    TicketAwaitingAssignment,
    TicketEscalationNeeded,
    TicketOpened,
    TicketReclassified,
    TicketRejected,
)
from shared.contracts.vocabulary import (
    Coverage,
    CoverageBasis,
    DeviceRef,
    Priority,
    Reporter,
    RequestChannel,
    ServiceKind,
)

__all__ = [
    "CONTRACTS",
    "ClockKind",
    "Command",
    "ComplaintRouted",
    "Contract",
    "Coverage",
    "CoverageBasis",
    "DeviceRef",
    "DocumentArchived",
    "Envelope",
    "Event",
    "FollowUpDue",
    "FollowUpMissed",
    "FollowUpRecorded",
    "InspectionItemResult",
    "InspectionVisitCompleted",
    "InspectionVisitMissed",
    "InspectionVisitOpened",
    "InspectionVisitOverdue",
    "Priority",
    "QualityCaseAnswered",
    "QualityCaseEscalated",
    "QualityCaseOpened",
    "RawEnvelope",
    "Reporter",
    "RequestChannel",
    "ServiceKind",
    "SiteReviewed",
    "SlaBreached",
    "SlaClockStarted",
    "SlaMet",
    "SlaWarning",
    "SubmitServiceRequest",
    "TicketAccepted",
    "TicketAssigned",
    "TicketAtRisk",
    "TicketAwaitingAssignment",
    "TicketClosed",
    "TicketEscalationNeeded",
    "TicketOnSite",
    "TicketOpened",
    "TicketPaused",
    "TicketReclassified",
    "TicketRejected",
    "TicketReopened",
    "TicketResolved",
    "TicketResumed",
    "seal",
]
