"""Every contract Aftercare publishes, and the committed JSON Schema snapshots that guard them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.contracts.accounts import AccountChanged
from shared.contracts.compatibility import breaking_changes, only_added_bounds, unreadable_changes
from shared.contracts.documents import DocumentArchived
from shared.contracts.envelope import ENVELOPE_SCHEMA_VERSION, Contract, Envelope, Event
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
from shared.contracts.notices import NoticeDecided
from shared.contracts.partners import REPLIES, TO_PARTNERS
from shared.contracts.photos import AddTicketPhoto
from shared.contracts.register import EquipmentChanged, SiteDescribed
from shared.contracts.sla import (
    SiteCalendarSet,
    SlaBreached,
    SlaClockChanged,
    SlaClocksStarted,
    SlaClockStarted,
    SlaMet,
    SlaVendorBreached,
    SlaVendorClockStarted,
    SlaVendorMet,
    SlaVendorWarning,
    SlaWarning,
)
from shared.contracts.tickets import (
    ComplaintRouted,
    MailFloodHeld,
    TicketAssigned,
    TicketAtRisk,
    TicketAwaitingAssignment,
    TicketCustomerWrote,
    TicketEscalationNeeded,
    TicketLinked,
    TicketNoted,
    TicketOpened,
    TicketPaged,
    TicketReclassified,
    TicketRejected,
)
from shared.contracts.vendor import (
    DeviceSwapped,
    VendorEscalationClosed,
    VendorEscalationProgressed,
    VendorEscalationSent,
)
from shared.contracts.webhooks import WebhookPaused

CONTRACTS: tuple[type[Contract], ...] = (
    SubmitServiceRequest,
    AddTicketPhoto,
    SiteDescribed,
    EquipmentChanged,
    TicketOpened,
    TicketReclassified,
    TicketRejected,
    MailFloodHeld,
    TicketCustomerWrote,
    TicketAssigned,
    TicketAwaitingAssignment,
    TicketAtRisk,
    TicketPaged,
    ComplaintRouted,
    TicketEscalationNeeded,
    TicketAccepted,
    TicketOnSite,
    TicketPaused,
    TicketResumed,
    TicketResolved,
    TicketReopened,
    TicketClosed,
    TicketNoted,
    TicketLinked,
    SlaClockStarted,
    SlaClocksStarted,
    SlaClockChanged,
    SlaWarning,
    SlaBreached,
    SlaMet,
    SlaVendorClockStarted,
    SlaVendorWarning,
    SlaVendorBreached,
    SlaVendorMet,
    SiteCalendarSet,
    VendorEscalationSent,
    VendorEscalationProgressed,
    VendorEscalationClosed,
    DeviceSwapped,
    *TO_PARTNERS,
    *REPLIES,
    FollowUpDue,
    FollowUpRecorded,
    FollowUpMissed,
    SiteReviewed,
    QualityCaseOpened,
    QualityCaseEscalated,
    QualityCaseAnswered,
    InspectionVisitOpened,
    InspectionVisitCompleted,
    InspectionVisitOverdue,
    InspectionVisitMissed,
    DocumentArchived,
    WebhookPaused,
    AccountChanged,
    NoticeDecided,
)

EVENTS: tuple[type[Event], ...] = tuple(c for c in CONTRACTS if issubclass(c, Event))
"""Every event published on `aftercare.events`: commands and the partners' messages travel elsewhere."""

SNAPSHOT_DIR = Path(__file__).parent / "schemas"


def current_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema of every contract as the code defines it now."""
    schemas: dict[str, dict[str, Any]] = {
        f"envelope.v{ENVELOPE_SCHEMA_VERSION}.json": Envelope[dict[str, Any]].model_json_schema()
    }
    for contract in CONTRACTS:
        schemas[f"{contract.message_type}.v{contract.schema_version}.json"] = contract.model_json_schema()
    return schemas


def snapshot_problems(directory: Path = SNAPSHOT_DIR) -> list[str]:
    """Why the committed snapshots and the code disagree; empty when they match."""
    problems: list[str] = []
    for name, schema in current_schemas().items():
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: no committed snapshot; run `aftercare contracts snapshot`")
            continue
        committed = json.loads(path.read_text())
        breaks = breaking_changes(committed, schema)
        if breaks:
            problems += [f"{name}: breaking change within a schema version: {b}" for b in breaks]
        elif committed != schema:
            problems.append(f"{name}: compatible change not yet snapshotted; run `aftercare contracts snapshot`")
    for contract in CONTRACTS:
        for version in contract.reads_versions:
            name = f"{contract.message_type}.v{version}.json"
            path = directory / name
            if not path.exists():
                problems.append(f"{name}: read by v{contract.schema_version}, but there is no snapshot of it")
                continue
            unread = unreadable_changes(json.loads(path.read_text()), contract.model_json_schema())
            problems += [f"{name}: v{contract.schema_version} cannot read its payloads: {u}" for u in unread]
    return problems


def write_snapshots(directory: Path = SNAPSHOT_DIR, *, accept_added_bounds: bool = False) -> list[str]:
    """Write snapshots of compatible or new contracts; refuse breaking ones (bump schema_version).
    With `accept_added_bounds`, a contract whose only breaks are bounds added where there were none is
    written too: for a person who checked that every producer already stays within them."""
    directory.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []
    for name, schema in current_schemas().items():
        path = directory / name
        if path.exists():
            breaks = breaking_changes(json.loads(path.read_text()), schema)
            if breaks and not (accept_added_bounds and only_added_bounds(breaks)):
                refused += [f"{name}: {b}" for b in breaks]
                continue
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return refused
