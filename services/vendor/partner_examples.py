"""One example of each message of the partner interface, as the AsyncAPI document shows it: built from the
contract models themselves (so an example cannot break its own schema) and sealed in the envelope, with
ids and times fixed so that the generated document stays the same from one run to the next.

The examples are one case's conversation: the request, each reply to it, a refusal of a reply published
under another step's routing key, and a cancellation. A partner may build its replies from them; each
reply message says which of its fields come from the request it answers (`x-from-request`) and which
the partner sets as it sends it (`x-on-sending`)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.vendor.partner_topology import broker_user
from shared.contracts import Contact, Contract, DeviceRef, seal
from shared.contracts.partners import (
    REPLIES,
    Acknowledged,
    Deadlines,
    Declined,
    Diagnosis,
    EscalationCancelled,
    EscalationReason,
    EscalationRequest,
    PartnerSite,
    Repaired,
    ReplacementShipped,
    ReplyRefused,
    RmaIssued,
    Visited,
    VisitScheduled,
)

PARTNER = "acme"
CASE = "VC-000123"
SENT_AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
_IDS = uuid.UUID("5b0d2f8e-6f1c-4d0a-9a57-3f1e0c7d2a10")  # the namespace of the examples' message ids

FROM_REQUEST = {
    "/correlation_id": "/payload/case_number",
    "/payload/case_number": "/payload/case_number",
    "/causation_id": "/message_id",
}
"""JSON pointers: a field of a reply -> the field of the request whose value it takes."""

ON_SENDING = {
    "/message_id": "A new UUID for each reply; the same when you send the same reply again.",
    "/occurred_at": "When you send it, in UTC.",
}
"""JSON pointers: a field of a reply the partner sets as it sends it -> how."""


def _request() -> EscalationRequest:
    return EscalationRequest(
        case_number=CASE,
        ticket_id="HH138-20261125-0001",
        reason=EscalationReason.REPAIR,
        site=PartnerSite(
            code="HH138",
            name="Plaza 66",
            address="138 Huaihai Middle Road, Huangpu District, Shanghai",
            timezone="Asia/Shanghai",
        ),
        device=DeviceRef(
            asset_tag="HH138-AV-DSP-01",
            model="BLU-100",
            manufacturer="Acme Audio",
            serial_number="BLU100-22A07716",
            vendor_code=PARTNER,
            warranty_until=date(2027, 3, 31),
            subsystem="av",
            location="Event hall, rack 2",
        ),
        fault="Power supply board hums, the DSP reboots under load.",
        contact_on_site=Contact(name="Li Na", role="Field engineer", phone="+86 138 0000 0000"),
        deadlines=Deadlines(acknowledge_by=SENT_AT + timedelta(hours=4), repaired_by=SENT_AT + timedelta(days=14)),
        agreement_version=1,
        sent_at=SENT_AT,
    )


def _replies() -> dict[type[Contract], Contract]:
    at = SENT_AT + timedelta(hours=1)
    return {
        Acknowledged: Acknowledged(case_number=CASE, estimate="engineer on site tomorrow 10:00", acknowledged_at=at),
        VisitScheduled: VisitScheduled(
            case_number=CASE, visit_at=SENT_AT + timedelta(days=1), engineer_name="Zhang Wei"
        ),
        Visited: Visited(
            case_number=CASE, visited_at=SENT_AT + timedelta(days=1, hours=1), findings="PSU capacitors bulging."
        ),
        Diagnosis: Diagnosis(case_number=CASE, diagnosis="Power supply board failed: capacitors C12 and C14."),
        RmaIssued: RmaIssued(case_number=CASE, rma_number="RMA-2026-04417"),
        ReplacementShipped: ReplacementShipped(
            case_number=CASE,
            new_serial_number="BLU100-26K00231",
            warranty_until=date(2028, 11, 30),
            carrier="SF Express",
            tracking_number="SF1234567890123",
            rma_number="RMA-2026-04417",
        ),
        Repaired: Repaired(
            case_number=CASE, summary="Power supply board replaced.", parts=["PSU board PS-100", "Fuse T3.15A"]
        ),
        Declined: Declined(case_number=CASE, reason="The device is out of warranty; please order a repair."),
    }


def _sealed(
    payload: Contract, *, producer: str, occurred_at: datetime, causation_id: uuid.UUID | None = None
) -> dict[str, Any]:
    envelope = seal(payload, producer=producer, correlation_id=CASE, causation_id=causation_id, occurred_at=occurred_at)
    fixed = envelope.model_copy(update={"message_id": uuid.uuid5(_IDS, payload.message_type)})
    return fixed.model_dump(mode="json")


def examples() -> dict[type[Contract], dict[str, Any]]:
    """Each partner message's example, as an AsyncAPI message example object."""
    request = _sealed(_request(), producer="vendor", occurred_at=SENT_AT)
    replied_at, refused_at = SENT_AT + timedelta(hours=1), SENT_AT + timedelta(hours=2)
    replies = {
        kind: _sealed(
            reply, producer=broker_user(PARTNER), occurred_at=replied_at, causation_id=uuid.UUID(request["message_id"])
        )
        for kind, reply in _replies().items()
    }
    repaired = replies[Repaired]
    refusal = ReplyRefused(
        refused_message_id=repaired["message_id"],
        reason="type_and_key_differ",
        detail=f"the routing key says 'acknowledged' but the message is {Repaired.message_type}: "
        f"publish each reply under {PARTNER}.repaired",
        refused_at=refused_at,
    )
    cancellation = EscalationCancelled(
        case_number=CASE,
        reason="Our engineer found a loose cable and fixed it.",
        cancelled_at=SENT_AT + timedelta(days=1),
    )
    found: dict[type[Contract], dict[str, Any]] = {
        EscalationRequest: {"name": "repair", "summary": "A repair requested.", "payload": request},
        EscalationCancelled: {
            "name": "cancelled",
            "summary": "The case withdrawn.",
            "payload": _sealed(cancellation, producer="vendor", occurred_at=SENT_AT + timedelta(days=1)),
        },
        ReplyRefused: {
            "name": "type_and_key_differ",
            "summary": f"The repair report published under the routing key {PARTNER}.acknowledged.",
            "payload": _sealed(refusal, producer="vendor", occurred_at=refused_at),
        },
    }
    for kind in REPLIES:
        step = kind.message_type.removeprefix("vendor.reply.")
        found[kind] = {
            "name": step,
            "summary": f"Published under the routing key {PARTNER}.{step}, with the fields the message's "
            "x-from-request and x-on-sending name filled in.",
            "payload": replies[kind],
        }
    return found
