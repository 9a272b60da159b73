"""The ticket list's rows (domain/ticket_list.py): a line read for update, a line kept, and the lines a
list, search or export asks for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import ticket_list, timeline
from services.archive.domain.ticket_list import PRIORITY_RANK, SHOWN, ClockState, TicketLine
from shared.persistence import like
from shared.persistence.database import PrecompiledStatement

_FIELDS = (
    "opened", "site_code", "site_name", "subsystem", "kind", "priority", "channel", "description",
    "reporter_name", "reporter_phone", "asset_tag", "device_model", "serial_number", "reported_at", "status",
    "status_at", "paused_from", "pause_reason", "engineer_id", "engineer_name", "resolved_at", "closed_at",
    "kind_at",
)  # fmt: skip


# A line is read and written for most events heard: these statements are compiled once.
_ROW = (
    "ticket_id", *_FIELDS, "priority_rank", "clocks", "breached", "is_open", "next_due_at", "search_text",
    "search_pairs",
)  # fmt: skip
_CREATE = PrecompiledStatement(
    insert(ticket_list)
    .values({name: bindparam(name) for name in _ROW})
    .on_conflict_do_nothing(index_elements=[ticket_list.c.ticket_id])
)
_LOCK = PrecompiledStatement(
    select(*(ticket_list.c[name] for name in ("clocks", *_FIELDS)))
    .where(ticket_list.c.ticket_id == bindparam("ticket_id"))
    .with_for_update()
)
_KEEP = PrecompiledStatement(
    ticket_list.update()
    .where(ticket_list.c.ticket_id == bindparam("line_id"))
    .values(
        {**{name: bindparam(name) for name in _ROW}, "updated_at": func.coalesce(bindparam("changed_at"), func.now())}
    )
)


async def line_to_change(connection: AsyncConnection, ticket_id: str) -> TicketLine:
    """The ticket's line, locked until the transaction ends (two events of one ticket heard at once
    change it one after the other); a new, empty one if nothing was heard of the ticket yet."""
    await _CREATE.execute(connection, _driver_row(TicketLine(ticket_id)))
    known = (await _LOCK.execute(connection, {"ticket_id": ticket_id})).one()._mapping
    clocks = {key: ClockState.from_json(value) for key, value in known["clocks"].items()}
    return TicketLine(ticket_id, clocks=clocks, **{name: known[name] for name in _FIELDS})


async def keep(connection: AsyncConnection, line: TicketLine, *, changed_at: datetime | None = None) -> None:
    """Write the line; `changed_at`, when it was last changed (default: now)."""
    await _KEEP.execute(connection, {**_driver_row(line), "line_id": line.ticket_id, "changed_at": changed_at})


def _driver_row(line: TicketLine) -> dict[str, Any]:
    row = row_of(line)
    return {**row, "clocks": json.dumps(row["clocks"])}  # driver SQL: JSONB travels as text


async def tickets_heard(connection: AsyncConnection, *, after: str, limit: int, unlisted: bool) -> list[str]:
    """The tickets the timeline has events of that the list shows, in order of their numbers from `after`;
    with `unlisted`, only those without a line yet."""
    query = (
        select(timeline.c.ticket_id)
        .where(timeline.c.ticket_id > after, timeline.c.type.in_([event.message_type for event in SHOWN]))
        .group_by(timeline.c.ticket_id)
        .order_by(timeline.c.ticket_id)
        .limit(limit)
    )
    if unlisted:
        query = query.where(~exists().where(ticket_list.c.ticket_id == timeline.c.ticket_id))
    return list((await connection.execute(query)).scalars())


def row_of(line: TicketLine) -> dict[str, Any]:
    """The line as the table keeps it, with what it is sorted and found by."""
    return {
        "ticket_id": line.ticket_id,
        **{name: getattr(line, name) for name in _FIELDS},
        "priority_rank": PRIORITY_RANK.get(line.priority or ""),
        "clocks": {key: clock.as_json() for key, clock in line.clocks.items()},
        "breached": line.breached,
        "is_open": line.is_open,
        "next_due_at": line.next_due_at,
        "search_text": line.search_text(),
        "search_pairs": line.search_pairs(),
    }


@dataclass(frozen=True)
class TicketFilter:
    """What a list asks for; every condition given must hold, and within one, any of its values."""

    words: tuple[str, ...] = ()  # each must appear in what the ticket is found by
    site_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    subsystems: tuple[str, ...] = ()
    engineer_ids: tuple[str, ...] = ()
    reported_from: datetime | None = None
    reported_before: datetime | None = None
    breached: bool | None = None
    open: bool | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        c = ticket_list.c
        found: list[ColumnElement[bool]] = [c.opened]
        found += [_has_word(word.lower()) for word in self.words]
        for column, values in (
            (c.site_code, self.site_codes), (c.status, self.statuses), (c.kind, self.kinds),
            (c.priority, self.priorities), (c.subsystem, self.subsystems), (c.engineer_id, self.engineer_ids),
        ):  # fmt: skip
            if values:
                found.append(column.in_(values))
        if self.reported_from is not None:
            found.append(c.reported_at >= self.reported_from)
        if self.reported_before is not None:
            found.append(c.reported_at < self.reported_before)
        if self.breached is not None:
            found.append(c.breached.is_(self.breached))
        if self.open is not None:
            found.append(c.is_open.is_(self.open))
        return found


def _has_word(word: str) -> ColumnElement[bool]:
    """A word of two characters by its pair (its own index), a longer one under the trigram index; one
    character alone is looked for in every line."""
    if len(word) == 2:
        return ticket_list.c.search_pairs.contains([word])
    return ticket_list.c.search_text.like(like.containing(word), escape=like.ESCAPE)


SORTS = {
    "reported_at": ticket_list.c.reported_at,
    "ticket_id": ticket_list.c.ticket_id,
    "priority": ticket_list.c.priority_rank,  # critical first
    "status": ticket_list.c.status,
    "next_due_at": ticket_list.c.next_due_at,  # tickets no clock runs for last, either way
    "updated_at": ticket_list.c.updated_at,
}
"""What a list may be sorted by; `-` before the name sorts it the other way round."""

COLUMNS = [
    column for column in ticket_list.c if column.name not in {"search_text", "search_pairs", "priority_rank", "kind_at"}
]


def _ordered(query: Select[Any], sort: str) -> Select[Any]:
    column = SORTS[sort.removeprefix("-")]
    if sort.startswith("-"):
        return query.order_by(column.desc().nulls_last(), ticket_list.c.ticket_id.desc())
    return query.order_by(column.asc().nulls_last(), ticket_list.c.ticket_id)


async def listed(
    connection: AsyncConnection, wanted: TicketFilter, *, sort: str, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """How many lines the filter finds, and those of one page, in the order asked for."""
    conditions = and_(*wanted.conditions())
    total = (await connection.execute(select(func.count()).select_from(ticket_list).where(conditions))).scalar_one()
    if total == 0 or offset >= total:
        return total, []
    query = _ordered(select(*COLUMNS).where(conditions), sort).offset(offset).limit(limit)
    return total, [{str(key): value for key, value in row._mapping.items()} for row in await connection.execute(query)]
