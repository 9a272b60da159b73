"""Who gets what: a subscription names one site and the event types it wants (none: every type); a
receiver never gets another site's events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shared.contracts.visibility import customer_view


def site_of(payload: Mapping[str, Any]) -> str | None:
    """The site an event is about: named, or the prefix of its ticket id (HH138-20261127-0001)."""
    site = payload.get("site_code")
    if isinstance(site, str) and site:
        return site
    ticket = payload.get("ticket_id")
    return ticket.split("-", 1)[0] if isinstance(ticket, str) and "-" in ticket else None


def wants(event_types: list[str], event_type: str) -> bool:
    """Whether a subscription's types take this event: exactly, by a family (`ticket.*`), or all."""
    return not event_types or any(
        t == event_type or (t.endswith(".*") and event_type.startswith(t[:-1])) for t in event_types
    )


def customer_body(body: str) -> str | None:
    """A stored delivery's body (the event as published) as the customer's system may get it, or None for
    an event that is the staff's alone."""
    envelope = json.loads(body)
    seen = customer_view(str(envelope.get("type")), envelope.get("payload") or {})
    return None if seen is None else json.dumps({**envelope, "payload": seen}, ensure_ascii=False)
