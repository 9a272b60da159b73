"""The SLA service's reads and writes, in its own schema only."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla.db.tables import clocks, policies, site_policies, ticket_facts, timers
from services.sla.domain.clock_state import ClockKey, StoredClock
from services.sla.domain.outcome import Outcome
from services.sla.domain.policy import DEFAULT_POLICY, Policy
from services.sla.domain.reports import ClockRecord, VendorClockRecord
from shared.persistence.database import dicts_of
from shared.persistence.locks import lock_for_transaction

# --- ticket facts ---------------------------------------------------------------------------------


async def serialise_ticket(connection: AsyncConnection, ticket_id: str) -> None:
    """Take the ticket's lock for this transaction: replicas reconcile one ticket one at a time."""
    await lock_for_transaction(connection, f"sla:{ticket_id}")


async def record_fact(
    connection: AsyncConnection, *, message_id: uuid.UUID, ticket_id: str, type_: str, payload: Mapping[str, Any]
) -> bool:
    result = await connection.execute(
        insert(ticket_facts)
        .values(message_id=message_id, ticket_id=ticket_id, type=type_, payload=dict(payload))
        .on_conflict_do_nothing()
        .returning(ticket_facts.c.message_id)
    )
    return result.first() is not None


async def facts_of(connection: AsyncConnection, ticket_id: str) -> list[tuple[str, dict[str, Any]]]:
    rows = await connection.execute(
        select(ticket_facts.c.type, ticket_facts.c.payload)
        .where(ticket_facts.c.ticket_id == ticket_id)
        .order_by(ticket_facts.c.received_at)
    )
    return [(row.type, row.payload) for row in rows]


# --- policies -------------------------------------------------------------------------------------


async def policy_code_for_site(connection: AsyncConnection, site_code: str) -> str:
    code: str | None = await connection.scalar(
        select(site_policies.c.policy_code).where(site_policies.c.site_code == site_code)
    )
    return code or DEFAULT_POLICY


async def latest_policy(connection: AsyncConnection, code: str) -> tuple[int, Policy] | None:
    version: int | None = await connection.scalar(select(func.max(policies.c.version)).where(policies.c.code == code))
    return (version, await policy_version(connection, code, version)) if version is not None else None


# A saved policy version never changes, so each is read and validated once per process (per database),
# not on every event of every ticket.
_PARSED_POLICIES: dict[tuple[object, str, int], Policy] = {}


async def policy_version(connection: AsyncConnection, code: str, version: int) -> Policy:
    key = (connection.engine.url, code, version)
    parsed = _PARSED_POLICIES.get(key)
    if parsed is None:
        document = await connection.scalar(
            select(policies.c.document).where(policies.c.code == code, policies.c.version == version)
        )
        parsed = _PARSED_POLICIES.setdefault(key, Policy.model_validate(document))
    return parsed


async def save_policy(connection: AsyncConnection, code: str, policy: Policy) -> int:
    await lock_for_transaction(connection, f"sla-policy:{code}")
    latest = await connection.scalar(select(func.max(policies.c.version)).where(policies.c.code == code))
    version = (latest or 0) + 1
    await connection.execute(
        policies.insert().values(code=code, version=version, document=policy.model_dump(mode="json"))
    )
    return version


async def policy_codes(connection: AsyncConnection) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(policies.c.code, func.max(policies.c.version).label("version"))
        .group_by(policies.c.code)
        .order_by(policies.c.code)
    )
    return [dict(row._mapping) for row in rows]


async def assign_policy(connection: AsyncConnection, site_code: str, policy_code: str) -> None:
    await connection.execute(
        insert(site_policies)
        .values(site_code=site_code, policy_code=policy_code)
        .on_conflict_do_update(index_elements=[site_policies.c.site_code], set_={"policy_code": policy_code})
    )


# --- clocks and timers ----------------------------------------------------------------------------


async def clocks_of(connection: AsyncConnection, ticket_id: str, *, to_change: bool = False) -> list[Row[Any]]:
    """The ticket's clocks; `to_change` locks them for this transaction, so that the scheduler skips
    their timers meanwhile (`firing.claim_due_timers`) and a breach it recorded first is read here, not missed."""
    query = select(clocks).where(clocks.c.ticket_id == ticket_id).order_by(clocks.c.kind, clocks.c.cycle)
    rows = await connection.execute(query.with_for_update() if to_change else query)
    return list(rows)


async def insert_clock(connection: AsyncConnection, **values: Any) -> None:
    await connection.execute(clocks.insert().values(**values))


def stored_clock(row: Row[Any]) -> StoredClock:
    return StoredClock(row.due_at, row.stopped_at, row.target_minutes, row.counting, recorded_outcome(row))


async def update_clock(connection: AsyncConnection, key: ClockKey, **values: Any) -> None:
    await connection.execute(
        update(clocks)
        .where(clocks.c.ticket_id == key.ticket_id, clocks.c.kind == key.kind, clocks.c.cycle == key.cycle)
        .values(updated_at=func.now(), **values)
    )


async def arm_timers(connection: AsyncConnection, key: ClockKey, moments: Mapping[float, datetime | None]) -> None:
    """Create the clock's timers, or move the ones not fired yet; a fired timer stays fired. One
    statement for all of them: a clock has a timer per warning and one for its deadline."""
    if not moments:
        return
    rows = [
        {"ticket_id": key.ticket_id, "kind": key.kind, "cycle": key.cycle, "fraction": fraction, "due_at": due_at}
        for fraction, due_at in moments.items()
    ]
    statement = insert(timers).values(rows)
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[timers.c.ticket_id, timers.c.kind, timers.c.cycle, timers.c.fraction],
            set_={"due_at": statement.excluded.due_at},
            where=timers.c.fired_at.is_(None),
        )
    )


async def disarm_timers(connection: AsyncConnection, key: ClockKey) -> None:
    await connection.execute(
        delete(timers).where(
            timers.c.ticket_id == key.ticket_id,
            timers.c.kind == key.kind,
            timers.c.cycle == key.cycle,
            timers.c.fired_at.is_(None),
        )
    )


# --- reports --------------------------------------------------------------------------------------


async def clocks_started_in(connection: AsyncConnection, site_code: str, first: date, after: date) -> list[ClockRecord]:
    """Clocks of a site whose start falls in [first, after) in the site's own time zone."""
    local_start = func.timezone(clocks.c.timezone, clocks.c.started_at)
    rows = await connection.execute(
        select(clocks).where(
            clocks.c.site_code == site_code,
            local_start >= first,
            local_start < after,
            clocks.c.outcome.is_distinct_from(Outcome.CANCELLED),
            clocks.c.partner.is_(None),
        )
    )
    return [
        ClockRecord(r.ticket_id, r.kind, r.cycle, r.started_at, r.due_at, r.stopped_at, recorded_outcome(r))
        for r in rows
    ]


async def vendor_clocks_started_in(connection: AsyncConnection, first: date, after: date) -> list[VendorClockRecord]:
    """Vendor partners' clocks whose start falls in [first, after), in their site's time zone."""
    local_start = func.timezone(clocks.c.timezone, clocks.c.started_at)
    rows = await connection.execute(
        select(clocks).where(clocks.c.partner.is_not(None), local_start >= first, local_start < after)
    )
    return [
        VendorClockRecord(
            r.partner, r.kind.removeprefix("vendor_"), r.case_number or "", r.due_at, r.stopped_at, recorded_outcome(r)
        )
        for r in rows
    ]


def recorded_outcome(clock: Row[Any] | None) -> Outcome | None:
    """How a stored clock was recorded as ending, if it has ended (or was announced breached)."""
    return Outcome(clock.outcome) if clock is not None and clock.outcome else None


async def running_clocks(connection: AsyncConnection, site_code: str | None) -> list[dict[str, Any]]:
    """Clocks still running with a deadline (paused ones have none, cancelled ones no longer run),
    soonest due first."""
    query = (
        select(
            clocks.c.ticket_id,
            clocks.c.kind.label("clock"),
            clocks.c.cycle,
            clocks.c.site_code,
            clocks.c.started_at,
            clocks.c.due_at,
            clocks.c.target_minutes,
            clocks.c.partner,
            clocks.c.case_number,
            clocks.c.breached_at,
        )
        .where(
            clocks.c.stopped_at.is_(None),
            clocks.c.due_at.is_not(None),
            clocks.c.outcome.is_distinct_from(Outcome.CANCELLED),  # replanned by a reclassification
        )
        .order_by(clocks.c.due_at)
    )
    if site_code is not None:
        query = query.where(clocks.c.site_code == site_code)
    return dicts_of(await connection.execute(query))
