"""Ready-made events, as their producers publish them, under ticket ids no other test uses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.contracts import Event, Priority, Reporter, RequestChannel, ServiceKind, TicketOpened
from shared.contracts.envelope import Envelope, seal


def ticket_opened(ticket_id: str | None = None, **changes: Any) -> TicketOpened:
    """A complete `ticket.opened` payload: a bgm fault at HH138 (the demo site, in Shanghai) reported by
    hotline just now. `changes` override any field; `received_at` follows `reported_at` unless given."""
    reported_at = changes.pop("reported_at", None) or datetime.now(UTC)
    values: dict[str, Any] = {
        "ticket_id": ticket_id or f"HH138-20261125-{uuid.uuid4().hex[:6]}",
        "site_code": "HH138",
        "site_name": "Infinity Mall, 138 Huaihai Middle Road",
        "site_timezone": "Asia/Shanghai",
        "subsystem": "bgm",
        "kind": ServiceKind.FAULT,
        "priority": Priority.NORMAL,
        "channel": RequestChannel.HOTLINE,
        "description": "No background music in the L1 atrium",
        "reporter": Reporter(name="Ms. Xu", phone="+86 21 5555 0101"),
        "reported_at": reported_at,
        "received_at": reported_at,
    }
    values.update(changes)
    return TicketOpened(**values)


def opened_envelope(ticket_id: str | None = None, **changes: Any) -> Envelope[TicketOpened]:
    """`ticket_opened(...)` as intake publishes it: a fresh message id, correlated by the ticket id."""
    opened = ticket_opened(ticket_id, **changes)
    return seal(opened, producer="intake", correlation_id=opened.ticket_id)


def opened_at_load_site(ticket_id: str | None = None, **changes: Any) -> Envelope[TicketOpened]:
    """A fault at the load-test site (tests/sites/load-test.toml), whose engineers take many tickets."""
    return opened_envelope(
        ticket_id or f"LOAD1-20261125-{uuid.uuid4().hex[:6]}",
        **{"site_code": "LOAD1", "site_name": "Load test plaza", **changes},
    )


def again(envelope: Envelope[Any]) -> Envelope[Any]:
    """The same event under a new message id, as a replayed or re-published event arrives."""
    return seal(envelope.payload, producer=envelope.producer, correlation_id=envelope.correlation_id)


def from_dispatch(event: Event) -> Envelope[Event]:
    """A lifecycle event as dispatch publishes it, correlated by the ticket it names."""
    return seal(event, producer="dispatch", correlation_id=event.ticket_id)  # type: ignore[attr-defined]


# A maintenance contract's terms as intake's API takes them (its code goes in the path).
CONTRACT_TERMS = {
    "starts_on": "2028-01-01",
    "ends_on": "2028-12-31",
    "covered_subsystems": ["bgm", "av"],
    "sla_policy": "standard",
    "customer_representative": {"name": "Xu Jing", "phone": "+86 21 5555 0101"},
    "quality_desk": {"name": "Quality desk"},
}
