"""Message contracts: the envelope and every event the services exchange."""

from shared.contracts.catalogue import CONTRACTS
from shared.contracts.documents import DocumentArchived
from shared.contracts.envelope import Command, Contract, Envelope, Event, RawEnvelope, seal
from shared.contracts.intake import SubmitServiceRequest
from shared.contracts.sla import ClockKind, SlaClockStarted
from shared.contracts.tickets import (
    ComplaintRouted,
    TicketAssigned,
    TicketEscalationNeeded,
    TicketOpened,
    TicketRejected,
)
from shared.contracts.vocabulary import (
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
    "DeviceRef",
    "DocumentArchived",
    "Envelope",
    "Event",
    "Priority",
    "RawEnvelope",
    "Reporter",
    "RequestChannel",
    "ServiceKind",
    "SlaClockStarted",
    "SubmitServiceRequest",
    "TicketAssigned",
    "TicketEscalationNeeded",
    "TicketOpened",
    "TicketRejected",
    "seal",
]
