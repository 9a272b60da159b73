"""The documents the archive draws up from events."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.archive.domain.documents import Category, Draft
from shared.contracts import Event, TicketOpened


def service_request_record(opened: TicketOpened) -> Draft:
    """The record of a request as it was received: who reported what, when, by which channel."""
    reported_local = opened.reported_at.astimezone(ZoneInfo(opened.site_timezone))
    return Draft(
        category=Category.RECORD,
        title=f"Service request record {opened.ticket_id}",
        site_code=opened.site_code,
        site_name=opened.site_name,
        timezone=opened.site_timezone,
        year=reported_local.year,
        ticket_id=opened.ticket_id,
        source=opened.message_type,
        form="service_request_record",
        content={
            "form": "service_request_record",
            "ticket_id": opened.ticket_id,
            "site": {"code": opened.site_code, "name": opened.site_name},
            "subsystem": opened.subsystem,
            "device": opened.device.model_dump(mode="json") if opened.device else None,
            "kind": opened.kind.value,
            "priority": opened.priority.value,
            "channel": opened.channel.value,
            "description": opened.description,
            "reporter": opened.reporter.model_dump(mode="json"),
            "reported_at": opened.reported_at.isoformat(),
            "reported_at_local": reported_local.isoformat(),
            "received_at": opened.received_at.isoformat(),
        },
    )


def drafts_of(event: Event) -> list[Draft]:
    """The documents an event makes."""
    if isinstance(event, TicketOpened):
        return [service_request_record(event)]
    return []
