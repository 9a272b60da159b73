"""The e-mail hotline's queries: its own mails, and what it reads of intake's sites (whom their
contracts name, their subsystems and devices) and tickets to decide what a mail is about."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db.tables import contracts, equipment, service_requests, sites, subsystems
from services.intake.mail.tables import mails
from shared.persistence.database import dicts_of
from shared.persistence.locks import lock_for_transaction


async def serialise_on(connection: AsyncConnection, message_id: str) -> None:
    """Hold a transaction lock on the Message-ID: one mail delivered to two mailboxes is taken once."""
    await lock_for_transaction(connection, f"intake:mail:{message_id}")


async def known(connection: AsyncConnection, message_id: str) -> bool:
    return (await connection.scalar(select(mails.c.mail_id).where(mails.c.message_id == message_id))) is not None


async def add(connection: AsyncConnection, row: dict[str, Any]) -> bool:
    """Keep the mail; False if a mail of its Message-ID was kept already (then nothing changes)."""
    added = await connection.execute(insert(mails).values(**row).on_conflict_do_nothing(index_elements=["message_id"]))
    return bool(added.rowcount)


async def mail(connection: AsyncConnection, mail_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    query = select(mails).where(mails.c.mail_id == mail_id)
    row = (await connection.execute(query.with_for_update() if for_update else query)).first()
    return dict(row._mapping) if row is not None else None


async def listed(
    connection: AsyncConnection, *, status: str | None, site_code: str | None, limit: int
) -> list[dict[str, Any]]:
    query = select(mails).order_by(mails.c.received_at.desc()).limit(limit)
    if status is not None:
        query = query.where(mails.c.status == status)
    if site_code is not None:
        query = query.where(mails.c.site_code == site_code)
    return dicts_of(await connection.execute(query))


async def settle(connection: AsyncConnection, mail_id: UUID, **values: Any) -> None:
    await connection.execute(update(mails).where(mails.c.mail_id == mail_id).values(**values))


async def recent_from(
    connection: AsyncConnection, sender: str, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """The sender's mails received between then and `until` that were not a machine's, newest first (a
    backlog read later counts only what came before each of its mails)."""
    rows = await connection.execute(
        select(mails.c.status, mails.c.ticket_id, mails.c.site_code, mails.c.received_at)
        .where(
            mails.c.sender == sender,
            mails.c.received_at >= since,
            mails.c.received_at <= until,
            mails.c.status != "ignored",
        )
        .order_by(mails.c.received_at.desc())
    )
    return dicts_of(rows)


async def addresses_by_site(connection: AsyncConnection) -> dict[str, frozenset[str]]:
    """The e-mail addresses each site's contracts name: its representative, its quality desk, its contacts."""
    found: dict[str, set[str]] = defaultdict(set)
    rows = await connection.execute(
        select(
            contracts.c.site_code, contracts.c.customer_representative, contracts.c.quality_desk, contracts.c.contacts
        )
    )
    for row in rows:
        for person in (row.customer_representative, row.quality_desk, *(row.contacts or [])):
            if isinstance(person, dict) and person.get("email"):
                found[row.site_code].add(str(person["email"]).strip().lower())
    return {site: frozenset(addresses) for site, addresses in found.items()}


async def site_name(connection: AsyncConnection, site_code: str) -> str:
    """The site as its people call it: its Chinese name where it has one."""
    row = (await connection.execute(select(sites.c.name, sites.c.local_name).where(sites.c.code == site_code))).first()
    return (row.local_name or row.name) if row is not None else site_code


async def site_codes(connection: AsyncConnection) -> list[str]:
    return list(await connection.scalars(select(sites.c.code)))


async def ticket_site(connection: AsyncConnection, ticket_id: str) -> str | None:
    site: str | None = await connection.scalar(
        select(service_requests.c.site_code).where(service_requests.c.ticket_id == ticket_id)
    )
    return site


async def reporter_address(connection: AsyncConnection, ticket_id: str) -> str | None:
    """The e-mail address the ticket's reporter gave (the one its acknowledgement went to), lower-cased."""
    address = await connection.scalar(
        select(service_requests.c.reporter["email"].astext).where(service_requests.c.ticket_id == ticket_id)
    )
    return str(address).strip().lower() if address else None


async def subsystems_of(connection: AsyncConnection, site_code: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(subsystems.c.code, subsystems.c.name, subsystems.c.local_name).where(subsystems.c.site_code == site_code)
    )
    return dicts_of(rows)


async def devices_of(connection: AsyncConnection, site_code: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(equipment.c.asset_tag, equipment.c.serial_number, equipment.c.subsystem).where(
            equipment.c.site_code == site_code
        )
    )
    return dicts_of(rows)


async def count_by_status(connection: AsyncConnection) -> dict[str, int]:
    rows = await connection.execute(select(mails.c.status, func.count()).group_by(mails.c.status))
    return dict(rows.tuples().all())
