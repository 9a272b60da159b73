"""The archive's timeline of events, in its own schema."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import timeline
from shared.persistence.database import PrecompiledStatement

OPENED = "ticket.opened"

# Every event of the suite is kept, and a document drawn up from a ticket's story: the statements of each
# message are compiled once.
_RECORD = PrecompiledStatement(
    insert(timeline)
    .values({column.name: bindparam(column.name) for column in timeline.c if column.name != "recorded_at"})
    .on_conflict_do_nothing()
    .returning(timeline.c.message_id)
)
_OF_TICKET = PrecompiledStatement(
    select(timeline.c.type, timeline.c.schema_version, timeline.c.payload, timeline.c.message_id)
    .where(timeline.c.ticket_id == bindparam("ticket_id"))
    .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
)
_LATEST_OF_SITE = PrecompiledStatement(
    select(timeline.c.type, timeline.c.schema_version, timeline.c.payload)
    .where(timeline.c.site_code == bindparam("site_code"), timeline.c.type == bindparam("type"))
    .order_by(timeline.c.occurred_at.desc())
    .limit(bindparam("limit"))
)


async def record(connection: AsyncConnection, **fact: Any) -> bool:
    """Keep the event; False if it was kept before (delivered again)."""
    kept = await _RECORD.execute(connection, {**fact, "payload": json.dumps(fact["payload"])})  # JSONB as text
    return kept.first() is not None


async def record_all(connection: AsyncConnection, facts: Sequence[dict[str, Any]]) -> None:
    """Keep several events at once; those kept before stay as they were."""
    if facts:
        await connection.execute(insert(timeline).values(list(facts)).on_conflict_do_nothing())


async def of_ticket(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(
            timeline.c.occurred_at,
            timeline.c.type,
            timeline.c.producer,
            timeline.c.message_id,
            timeline.c.causation_id,
            timeline.c.payload,
        )
        .where(timeline.c.ticket_id == ticket_id)
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )
    return [dict(row._mapping) for row in rows]


async def events_of_ticket(connection: AsyncConnection, ticket_id: str) -> list[tuple[str, int, dict[str, Any]]]:
    """The ticket's events as kept (type, schema version, payload), in the order they happened."""
    return [
        (message_type, version, payload)
        for message_type, version, payload, _ in await messages_of_ticket(connection, ticket_id)
    ]


async def messages_of_ticket(
    connection: AsyncConnection, ticket_id: str
) -> list[tuple[str, int, dict[str, Any], uuid.UUID]]:
    """The ticket's events as kept (type, schema version, payload, message id), in the order they happened."""
    rows = await _OF_TICKET.execute(connection, {"ticket_id": ticket_id})
    return [(row.type, row.schema_version, row.payload, row.message_id) for row in rows]


async def moments_of_ticket(
    connection: AsyncConnection, ticket_id: str, types: Sequence[str] | None = None
) -> list[tuple[str, int, dict[str, Any], datetime, datetime]]:
    """The ticket's events (of these types, or all) as kept (type, schema version, payload, when it
    happened, when it was kept), in the order they happened."""
    query = (
        select(timeline.c.type, timeline.c.schema_version, timeline.c.payload, timeline.c.occurred_at,
               timeline.c.recorded_at)
        .where(timeline.c.ticket_id == ticket_id)
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )  # fmt: skip
    if types is not None:
        query = query.where(timeline.c.type.in_(types))
    rows = await connection.execute(query)
    return [(row.type, row.schema_version, row.payload, row.occurred_at, row.recorded_at) for row in rows]


async def latest_of_site(
    connection: AsyncConnection, site_code: str, message_type: str
) -> tuple[str, int, dict[str, Any]] | None:
    """The site's latest event of one type, as kept."""
    row = (
        await _LATEST_OF_SITE.execute(connection, {"site_code": site_code, "type": message_type, "limit": 1})
    ).first()
    return (row.type, row.schema_version, row.payload) if row else None


async def of_site_type(
    connection: AsyncConnection, site_code: str, message_type: str, *, before: datetime
) -> list[tuple[str, int, dict[str, Any]]]:
    """The site's events of one type that happened before `before`, in order."""
    rows = await connection.execute(
        select(timeline.c.type, timeline.c.schema_version, timeline.c.payload)
        .where(timeline.c.site_code == site_code, timeline.c.type == message_type, timeline.c.occurred_at < before)
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )
    return [(row.type, row.schema_version, row.payload) for row in rows]


def _tickets_of(site_code: str) -> Select[Any]:
    return select(timeline.c.ticket_id).where(timeline.c.site_code == site_code, timeline.c.type == OPENED)


async def of_site_between(
    connection: AsyncConnection, site_code: str, start: datetime, end: datetime
) -> list[tuple[str, int, dict[str, Any]]]:
    """Every event of the site and of its tickets that happened in [start, end), in order."""
    rows = await connection.execute(
        select(timeline.c.type, timeline.c.schema_version, timeline.c.payload)
        .where(
            timeline.c.occurred_at >= start,
            timeline.c.occurred_at < end,
            or_(timeline.c.site_code == site_code, timeline.c.ticket_id.in_(_tickets_of(site_code))),
        )
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )
    return [(row.type, row.schema_version, row.payload) for row in rows]


async def of_tickets(
    connection: AsyncConnection, ticket_ids: Iterable[str], types: Iterable[str], *, before: datetime
) -> list[tuple[str, int, dict[str, Any]]]:
    """The tickets' events of these types that happened before `before`, in order."""
    rows = await connection.execute(
        select(timeline.c.type, timeline.c.schema_version, timeline.c.payload)
        .where(
            timeline.c.ticket_id.in_(list(ticket_ids)),
            timeline.c.type.in_(list(types)),
            timeline.c.occurred_at < before,
        )
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )
    return [(row.type, row.schema_version, row.payload) for row in rows]


async def sites_first_described(connection: AsyncConnection) -> dict[str, datetime]:
    """Every site intake has described to the archive, with when it first did."""
    rows = await connection.execute(
        select(timeline.c.site_code, func.min(timeline.c.occurred_at))
        .where(timeline.c.type == "site.described", timeline.c.site_code.is_not(None))
        .group_by(timeline.c.site_code)
    )
    return {str(site): first for site, first in rows}


async def moments_of_site_between(
    connection: AsyncConnection, site_code: str, start: datetime, end: datetime
) -> list[tuple[datetime, str, int, dict[str, Any]]]:
    """Every event of the site and of its tickets that happened in [start, end), with when, in order."""
    rows = await connection.execute(
        select(timeline.c.occurred_at, timeline.c.type, timeline.c.schema_version, timeline.c.payload)
        .where(
            timeline.c.occurred_at >= start,
            timeline.c.occurred_at < end,
            or_(timeline.c.site_code == site_code, timeline.c.ticket_id.in_(_tickets_of(site_code))),
        )
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )
    return [(row.occurred_at, row.type, row.schema_version, row.payload) for row in rows]


async def moments_of_tickets(
    connection: AsyncConnection, ticket_ids: Iterable[str], types: Iterable[str]
) -> list[tuple[str, datetime, str, int, dict[str, Any]]]:
    """The tickets' events of these types, each with its ticket and when it happened, in order."""
    rows = await connection.execute(
        select(
            timeline.c.ticket_id, timeline.c.occurred_at, timeline.c.type, timeline.c.schema_version,
            timeline.c.payload,
        )
        .where(timeline.c.ticket_id.in_(list(ticket_ids)), timeline.c.type.in_(list(types)))
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )  # fmt: skip
    return [(row.ticket_id, row.occurred_at, row.type, row.schema_version, row.payload) for row in rows]
