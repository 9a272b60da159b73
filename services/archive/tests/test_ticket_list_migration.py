"""The archive's migration 0014 lists the tickets heard before the list existed, from its timeline."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

import services
from shared.contracts import Event, TicketAssigned
from shared.persistence import migrations
from shared.persistence.database import create_engine, drop_database, ensure_database
from testkit.samples import ticket_opened
from testkit.world import World


async def test_the_tickets_heard_before_are_listed_from_the_timeline(world: World) -> None:
    scratch = f"{world.database_url}_ticket_list"
    directory = services.definition("archive").migrations_dir
    await ensure_database(scratch)
    engine = create_engine(scratch, pool_size=1)
    opened_at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    heard: list[tuple[Event, datetime]] = [
        (ticket_opened("HH138-20261125-0001", description="中庭背景音乐没有声音", reported_at=opened_at), opened_at),
        (ticket_opened("HH138-20261125-0002", reported_at=opened_at), opened_at),
        (
            TicketAssigned(
                ticket_id="HH138-20261125-0001", site_code="HH138", subsystem="bgm", engineer_id="E01",
                engineer_name="王磊", rule="subsystem_owner", assigned_at=opened_at + timedelta(minutes=1),
            ),
            opened_at + timedelta(minutes=1),
        ),
    ]  # fmt: skip
    try:
        await asyncio.to_thread(migrations.upgrade, directory, scratch, "0013")
        async with engine.begin() as connection:
            for event, occurred_at in heard:
                await connection.execute(
                    text(
                        "INSERT INTO archive.timeline (message_id, type, schema_version, occurred_at, producer, "
                        "correlation_id, ticket_id, site_code, payload) VALUES (:id, :type, 1, :at, 'test', :ticket, "
                        ":ticket, 'HH138', CAST(:payload AS jsonb))"
                    ),
                    {
                        "id": uuid.uuid4(), "type": event.message_type, "at": occurred_at,
                        "ticket": event.ticket_id,  # type: ignore[attr-defined]
                        "payload": json.dumps(event.model_dump(mode="json")),
                    },
                )  # fmt: skip
        await asyncio.to_thread(migrations.upgrade, directory, scratch)
        async with engine.connect() as connection:
            lines = (
                await connection.execute(
                    text(
                        "SELECT ticket_id, status, engineer_name, search_text LIKE '%背景音乐%' "
                        "FROM archive.ticket_list ORDER BY ticket_id"
                    )
                )
            ).all()
        assert [tuple(line) for line in lines] == [
            ("HH138-20261125-0001", "assigned", "王磊", True),
            ("HH138-20261125-0002", "new", None, False),
        ]
    finally:
        await engine.dispose()
        await drop_database(scratch)
