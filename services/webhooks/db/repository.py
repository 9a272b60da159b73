"""The webhooks service's reads and writes, in its own schema only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.webhooks.db.tables import deliveries, subscriptions
from shared.persistence.database import PrecompiledStatement

SHOWN = [c for c in subscriptions.c if c.name != "secret"]


async def add_subscription(connection: AsyncConnection, **values: Any) -> uuid.UUID:
    subscription_id = uuid.uuid4()
    await connection.execute(subscriptions.insert().values(id=subscription_id, **values))
    return subscription_id


async def subscription(connection: AsyncConnection, subscription_id: uuid.UUID) -> Row[Any] | None:
    return (await connection.execute(select(subscriptions).where(subscriptions.c.id == subscription_id))).first()


async def subscriptions_of(connection: AsyncConnection, site_code: str | None) -> list[dict[str, Any]]:
    query = select(*SHOWN).order_by(subscriptions.c.created_at)
    if site_code is not None:
        query = query.where(subscriptions.c.site_code == site_code)
    return [dict(row._mapping) for row in await connection.execute(query)]


TAKING_EVENTS = (subscriptions.c.active.is_(True), subscriptions.c.paused_at.is_(None))  # not removed, not paused

# Asked of every event on the events exchange while a process does not know the subscribed sites
# (subscribed_sites.py), so compiled once (shared/persistence/database.py).
LISTENING_TYPES = PrecompiledStatement(
    select(subscriptions.c.event_types).where(subscriptions.c.site_code == bindparam("site_code"), *TAKING_EVENTS)
)

# What each process keeps in memory: the types every subscription taking events wants, with its site.
EVERY_SITES_TYPES = PrecompiledStatement(
    select(subscriptions.c.site_code, subscriptions.c.event_types).where(*TAKING_EVENTS)
)


async def listening(connection: AsyncConnection, site_code: str) -> list[Row[Any]]:
    """The site's subscriptions that take events now (not paused, not removed)."""
    query = select(subscriptions).where(subscriptions.c.site_code == site_code, *TAKING_EVENTS)
    return list((await connection.execute(query)).all())


async def set_state(connection: AsyncConnection, subscription_id: uuid.UUID, **values: Any) -> None:
    await connection.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(**values))


async def add_delivery(
    connection: AsyncConnection,
    subscription_id: uuid.UUID,
    message_id: uuid.UUID,
    event_type: str,
    body: str,
    now: datetime,
) -> None:
    """A delivery to make now; the same event for the same subscription is delivered once."""
    await connection.execute(
        insert(deliveries)
        .values(
            id=uuid.uuid4(),
            subscription_id=subscription_id,
            message_id=message_id,
            event_type=event_type,
            body=body,
            status="pending",
            next_attempt_at=now,
            # By the process's clock, as every later try is: the deliverer gives up a day after this moment
            # (delivery.py), and the database's clock, a row's default, may differ from the process's.
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


async def claim_due(connection: AsyncConnection, now: datetime, limit: int) -> list[Row[Any]]:
    """Deliveries due to subscriptions still taking events, each with its subscription's address and
    secret, locked (another process skips them). A paused subscription's deliveries wait for it."""
    rows = await connection.execute(
        select(deliveries, subscriptions.c.url, subscriptions.c.secret)
        .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
        .where(
            deliveries.c.status == "pending",
            deliveries.c.next_attempt_at <= now,
            subscriptions.c.active.is_(True),
            subscriptions.c.paused_at.is_(None),
        )
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(of=deliveries, skip_locked=True)
    )
    return list(rows.all())


async def set_delivery(connection: AsyncConnection, delivery_id: uuid.UUID, **values: Any) -> None:
    await connection.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))


async def delivery(connection: AsyncConnection, delivery_id: uuid.UUID) -> Row[Any] | None:
    return (await connection.execute(select(deliveries).where(deliveries.c.id == delivery_id))).first()


async def deliveries_of(connection: AsyncConnection, subscription_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
    query = (
        select(deliveries)
        .where(deliveries.c.subscription_id == subscription_id)
        .order_by(deliveries.c.created_at.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in await connection.execute(query)]
