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
from shared.contracts.register import EquipmentChanged, SiteDescribed
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
    Contact,
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
    "Contact",
    "Contract",
    "Coverage",
    "CoverageBasis",
    "DeviceRef",
    "DocumentArchived",
    "Envelope",
    "EquipmentChanged",
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
    "SiteDescribed",
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
