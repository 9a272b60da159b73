"""Vendor's reads and writes, in its own schema only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.vendor.db.tables import agreements, case_history, cases, devices, partners, site_calendars, sites
from services.vendor.domain.cases import WORKING
from shared.contracts import Agreement, Contact, DeviceRef, SiteCalendarSet
from shared.persistence import site_calendars as calendars
from shared.persistence.database import PrecompiledStatement
from shared.persistence.locks import lock_for_transaction

CASE_PREFIX = "VC-"


def case_number(number: int) -> str:
    return f"{CASE_PREFIX}{number:06d}"


def number_of(case: str) -> int | None:
    digits = case.removeprefix(CASE_PREFIX)
    return int(digits) if case.startswith(CASE_PREFIX) and digits.isdigit() else None


# --- partners ---------------------------------------------------------------------------------------


async def add_partner(
    connection: AsyncConnection, *, code: str, name: str, contacts: list[Contact], broker_user: str
) -> None:
    row = {
        "code": code,
        "name": name,
        "contacts": [c.model_dump(mode="json") for c in contacts],
        "broker_user": broker_user,
        "active": True,
    }
    await connection.execute(
        insert(partners).values(row).on_conflict_do_update(index_elements=[partners.c.code], set_=row)
    )


async def set_active(connection: AsyncConnection, code: str, active: bool) -> bool:
    result = await connection.execute(update(partners).where(partners.c.code == code).values(active=active))
    return bool(result.rowcount)


async def partner(connection: AsyncConnection, code: str) -> Row[Any] | None:
    return (await connection.execute(select(partners).where(partners.c.code == code))).first()


async def partners_list(connection: AsyncConnection) -> list[dict[str, Any]]:
    rows = await connection.execute(select(partners).order_by(partners.c.code))
    return [dict(row._mapping) for row in rows]


async def save_agreement(connection: AsyncConnection, code: str, agreement: Agreement) -> int:
    await lock_for_transaction(connection, f"vendor-agreement:{code}")
    latest = await connection.scalar(select(func.max(agreements.c.version)).where(agreements.c.partner == code))
    version = (latest or 0) + 1
    await connection.execute(
        agreements.insert().values(partner=code, version=version, terms=agreement.model_dump(mode="json"))
    )
    return version


async def agreement_versions(connection: AsyncConnection, code: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(agreements.c.version, agreements.c.terms, agreements.c.created_at)
        .where(agreements.c.partner == code)
        .order_by(agreements.c.version)
    )
    return [dict(row._mapping) for row in rows]


# --- cases -----------------------------------------------------------------------------------------


async def case_for_update(connection: AsyncConnection, number: int) -> Row[Any] | None:
    return (await connection.execute(select(cases).where(cases.c.number == number).with_for_update())).first()


async def cases_of(
    connection: AsyncConnection,
    *,
    ticket_id: str | None = None,
    partner: str | None = None,
    statuses: list[str] | None = None,
) -> list[dict[str, Any]]:
    query = select(cases).order_by(cases.c.number)
    if ticket_id is not None:
        query = query.where(cases.c.ticket_id == ticket_id)
    if partner is not None:
        query = query.where(cases.c.partner == partner)
    if statuses is not None:
        query = query.where(cases.c.status.in_(statuses))
    return [_shown(row) for row in await connection.execute(query)]


async def case_with_history(connection: AsyncConnection, number: int) -> dict[str, Any] | None:
    row = (await connection.execute(select(cases).where(cases.c.number == number))).first()
    if row is None:
        return None
    history = await connection.execute(
        select(
            case_history.c.at, case_history.c.step, case_history.c.status, case_history.c.actor, case_history.c.detail
        )
        .where(case_history.c.case_number == number)
        .order_by(case_history.c.id)
    )
    return {**_shown(row), "history": [dict(h._mapping) for h in history]}


async def working_cases_of_ticket(connection: AsyncConnection, ticket_id: str) -> list[Row[Any]]:
    """The ticket's cases with their partners, locked for this transaction (in one order, so that two
    transactions never wait for each other); a case another transaction just ended is left out (the
    database checks the status again on the row it locks)."""
    rows = await connection.execute(
        select(cases)
        .where(cases.c.ticket_id == ticket_id, cases.c.status.in_(sorted(WORKING)))
        .order_by(cases.c.number)
        .with_for_update()
    )
    return list(rows)


def _shown(row: Row[Any]) -> dict[str, Any]:
    shown = {key: value for key, value in row._mapping.items() if key != "number"}
    return {"case_number": case_number(row.number), **shown}


# --- the directory ----------------------------------------------------------------------------------


# Intake announces every site and every change of a device (a register import: thousands at once), so
# the directory's two writes are compiled once (shared/persistence/database.py).
_site_row = insert(sites).values({c.name: bindparam(c.name) for c in sites.c})
DESCRIBE_SITE = PrecompiledStatement(
    _site_row.on_conflict_do_update(
        index_elements=[sites.c.code], set_={c.name: _site_row.excluded[c.name] for c in sites.c if not c.primary_key}
    )
)


async def describe_site(
    connection: AsyncConnection, *, code: str, name: str, address: str, timezone: str, representative: Contact | None
) -> None:
    values = {
        "code": code,
        "name": name,
        "address": address,
        "timezone": timezone,
        "representative": representative.model_dump_json() if representative else None,  # JSONB as text
    }
    await DESCRIBE_SITE.execute(connection, values)


async def site(connection: AsyncConnection, code: str) -> Row[Any] | None:
    return (await connection.execute(select(sites).where(sites.c.code == code))).first()


async def keep_site_calendar(connection: AsyncConnection, told: SiteCalendarSet) -> bool:
    return await calendars.keep_site_calendar(connection, site_calendars, told)


_device_row = insert(devices).values({c.name: bindparam(c.name) for c in devices.c})
KEEP_DEVICE = PrecompiledStatement(
    _device_row.on_conflict_do_update(
        index_elements=[devices.c.site_code, devices.c.asset_tag],
        set_={"device": _device_row.excluded.device, "changed_at": _device_row.excluded.changed_at},
        where=devices.c.changed_at <= _device_row.excluded.changed_at,
    )
)


async def keep_device(connection: AsyncConnection, site_code: str, device: DeviceRef, at: datetime) -> None:
    """Keep the latest state of a device; an older event arriving late changes nothing."""
    values = {
        "site_code": site_code,
        "asset_tag": device.asset_tag,
        "device": device.model_dump_json(),
        "changed_at": at,
    }
    await KEEP_DEVICE.execute(connection, values)


async def device(connection: AsyncConnection, site_code: str, asset_tag: str) -> DeviceRef | None:
    raw = await connection.scalar(
        select(devices.c.device).where(devices.c.site_code == site_code, devices.c.asset_tag == asset_tag)
    )
    return DeviceRef.model_validate(raw) if raw else None
