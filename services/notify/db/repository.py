"""The notify service's reads and writes: the contacts of the people it tells, the notifications
decided, and the sender's claim on those due."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, func, literal, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notify.db.tables import contacts, notifications, sites
from shared.contracts.notices import Audience

# What a person chooses for themselves: a site file loaded again does not undo it.
OWN_CHOICES = ("language", "timezone", "quiet_hours", "channels")


async def keep_contact(connection: AsyncConnection, row: Mapping[str, Any]) -> None:
    """Add a person from a site description, or update their addresses, adding the row's sites and roles
    to theirs (someone of every site stays so, an engineer id is never cleared); the choices they made
    themselves stay as they are."""
    statement = insert(contacts).values(dict(row))
    merged_sites: ColumnElement[Any] = literal_column(
        "CASE WHEN cardinality(notify.contacts.site_codes) = 0 THEN notify.contacts.site_codes"
        " ELSE ARRAY(SELECT DISTINCT code FROM unnest(notify.contacts.site_codes || excluded.site_codes) AS code"
        " ORDER BY code) END"
    )
    merged_roles: ColumnElement[Any] = literal_column(
        "ARRAY(SELECT DISTINCT role FROM unnest(notify.contacts.roles || excluded.roles) AS role ORDER BY role)"
    )
    addresses: dict[str, ColumnElement[Any]] = {
        k: statement.excluded[k] for k in row if k not in (*OWN_CHOICES, "username", "site_codes", "roles")
    }
    addresses["engineer_id"] = func.coalesce(statement.excluded.engineer_id, contacts.c.engineer_id)
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[contacts.c.username],
            set_={**addresses, "site_codes": merged_sites, "roles": merged_roles, "updated_at": func.now()},
        )
    )


async def describe_site(connection: AsyncConnection, row: Mapping[str, Any]) -> None:
    """Keep a site's names as described, unless a later description was kept already; a description
    without its subsystems (published before they were added) leaves the ones known."""
    statement = insert(sites).values(dict(row))
    changed: dict[str, Any] = {k: statement.excluded[k] for k in row if k != "code"}
    changed["subsystems"] = func.coalesce(statement.excluded.subsystems, sites.c.subsystems)
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[sites.c.code], set_=changed, where=sites.c.described_at <= statement.excluded.described_at
        )
    )


async def site(connection: AsyncConnection, code: str | None) -> Row[Any] | None:
    if code is None:
        return None
    return (await connection.execute(select(sites).where(sites.c.code == code))).first()


async def put_contact(connection: AsyncConnection, row: Mapping[str, Any]) -> None:
    """Add a person, or change what `row` names of them (an administrator's edit): what it leaves out,
    such as the person's own choices or a robot's secret, stays."""
    statement = insert(contacts).values(dict(row))
    changed = {k: statement.excluded[k] for k in row if k != "username"}
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[contacts.c.username], set_={**changed, "updated_at": func.now()}
        )
    )


async def contact(connection: AsyncConnection, username: str) -> Row[Any] | None:
    return (await connection.execute(select(contacts).where(contacts.c.username == username))).first()


async def all_contacts(connection: AsyncConnection) -> list[dict[str, Any]]:
    rows = await connection.execute(select(contacts).order_by(contacts.c.username))
    return [shown(row) for row in rows]


def shown(row: Row[Any] | None) -> dict[str, Any]:
    """A contact as the API shows it: a robot's key (in its address) and signing secret stay in the database."""
    assert row is not None
    found = dict(row._mapping)
    found["robot_url"] = masked(found["robot_url"])
    found["robot_secret"] = "set" if found["robot_secret"] else None
    return found


def masked(url: str | None) -> str | None:
    """A robot's address without its query, which holds its key (WeCom's key, DingTalk's access_token)."""
    return url.split("?", 1)[0] + "?…" if url and "?" in url else url


async def set_choices(connection: AsyncConnection, username: str, choices: Mapping[str, Any]) -> bool:
    result = await connection.execute(
        update(contacts).where(contacts.c.username == username).values(**choices, updated_at=func.now())
    )
    return result.rowcount > 0


async def audience(
    connection: AsyncConnection, who: Audience, site_code: str | None, whom: str | None
) -> list[Row[Any]]:
    """The people a notice is for: by engineer, role or name; by role and engineer only those who serve
    the site (or every site; a customer's representative always has theirs)."""
    query = select(contacts)
    if who is Audience.PERSON:
        return list(await connection.execute(query.where(contacts.c.username == whom)))
    if who is Audience.ENGINEER:
        query = query.where(contacts.c.engineer_id == whom)
    elif who is Audience.CUSTOMERS:  # a site's representatives: never "every site", never without one
        return list(
            await connection.execute(
                query.where(
                    contacts.c.roles.any_() == literal("customer"),
                    contacts.c.site_codes.any_() == literal(site_code or ""),
                ).order_by(contacts.c.username)
            )
        )
    else:
        role = "manager" if who is Audience.MANAGERS else "quality"
        query = query.where(contacts.c.roles.any_() == literal(role))
    if site_code is not None:
        query = query.where(or_(contacts.c.site_codes == [], contacts.c.site_codes.any_() == literal(site_code)))
    return list(await connection.execute(query.order_by(contacts.c.username)))


async def add_notification(connection: AsyncConnection, row: Mapping[str, Any]) -> bool:
    """Record a notification to send; False if this person was already told this on this channel."""
    result = await connection.execute(
        insert(notifications).values(dict(row)).on_conflict_do_nothing(constraint="uq_notifications_once")
    )
    return result.rowcount > 0


async def claim_due(connection: AsyncConnection, now: datetime, limit: int, lease: timedelta) -> list[Row[Any]]:
    """Take the notifications due for `lease`: marked as being sent and hidden from other processes
    until then (SKIP LOCKED while marking), so that each is sent by one process, and one whose sender died
    is taken again once its lease runs out. Each comes with its person's current addresses and choices."""
    due = (
        select(notifications.c.id)
        .where(notifications.c.status.in_(("pending", "sending")), notifications.c.send_after <= now)
        .order_by(notifications.c.send_after)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = (
        update(notifications)
        .where(notifications.c.id.in_(due))
        .values(status="sending", send_after=now + lease)
        .returning(notifications.c.id)
    )
    ids = list((await connection.execute(claimed)).scalars())
    if not ids:
        return []
    person = (contacts.c.email, contacts.c.phone, contacts.c.robot_url, contacts.c.robot_kind, contacts.c.robot_secret,
              contacts.c.wecom_userid, contacts.c.quiet_hours, contacts.c.timezone, contacts.c.language)  # fmt: skip
    site_names = (sites.c.name.label("site_name"), sites.c.local_name.label("site_local_name"))
    return list(
        await connection.execute(
            select(notifications, *person, *site_names)
            .outerjoin(contacts, contacts.c.username == notifications.c.username)
            .outerjoin(sites, sites.c.code == notifications.c.site_code)
            .where(notifications.c.id.in_(ids))
        )
    )


async def set_notification(connection: AsyncConnection, notification_id: int, **values: Any) -> None:
    await connection.execute(update(notifications).where(notifications.c.id == notification_id).values(**values))


async def listed(
    connection: AsyncConnection,
    *,
    ticket_id: str | None = None,
    username: str | None = None,
    status: str | None = None,
    limit: int = 200,
    with_addresses: bool = False,
) -> list[dict[str, Any]]:
    """Notifications newest first, of a ticket, a person or a status, with the person's name as their
    contact has it; the addresses (phone numbers, a robot's address) only for the person's own list, and
    a robot's key never."""
    query = (
        select(notifications, contacts.c.name.label("name"))
        .outerjoin(contacts, contacts.c.username == notifications.c.username)
        .order_by(notifications.c.created_at.desc(), notifications.c.id.desc())
        .limit(limit)
    )
    if ticket_id is not None:
        query = query.where(notifications.c.ticket_id == ticket_id)
    if username is not None:
        query = query.where(notifications.c.username == username)
    if status is not None:
        query = query.where(notifications.c.status == status)
    found = []
    for row in await connection.execute(query):
        shown = dict(row._mapping)
        shown["address"] = (
            (masked(shown["address"]) if shown["channel"] == "robot" else shown["address"]) if with_addresses else None
        )
        found.append(shown)
    return found
