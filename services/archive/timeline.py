"""Keeping the suite's events: the archive hears every event on `aftercare.events` and keeps each in its
timeline, by ticket and by site, as it was published. Documents and registers are drawn up from it,
and no event goes unheard into `aftercare.unrouted`. Its own `document.archived` it keeps as it files
the document, in the same transaction, rather than hearing it back from the broker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import timeline
from shared.contracts import Envelope, Event
from shared.messaging.unit_of_work import UnitOfWork


async def keep(uow: UnitOfWork, message: Envelope[Event]) -> bool:
    """Keep the event in the timeline; False if it was kept before (the same message delivered again)."""
    return await timeline.record(uow.connection, **_fact(message))


async def keep_own(connection: AsyncConnection, announced: Sequence[Envelope[Any]]) -> None:
    """Keep the events the archive publishes, in the transaction that publishes them. Under their own
    message ids: an echo of one still queued from an earlier release finds it kept and adds nothing."""
    await timeline.record_all(connection, [_fact(message) for message in announced])


def _fact(message: Envelope[Any]) -> dict[str, Any]:
    payload = message.payload.model_dump(mode="json")
    return {
        "message_id": message.message_id,
        "type": message.type,
        "schema_version": message.schema_version,
        "occurred_at": message.occurred_at,
        "producer": message.producer,
        "correlation_id": message.correlation_id,
        "causation_id": message.causation_id,
        "ticket_id": payload.get("ticket_id"),
        "site_code": payload.get("site_code"),
        "payload": payload,
    }
