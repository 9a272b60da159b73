"""The ticket list of tickets heard before it existed: the archive lists them from its timeline when it
starts, and `rebuild(every=True)` folds every line again, over the real database."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from services.archive.ticket_list_rebuild import rebuild
from shared.contracts import Event, TicketAssigned
from testkit.in_process import running
from testkit.samples import ticket_opened
from testkit.waiting import eventually
from testkit.world import World


async def test_tickets_heard_before_the_list_are_listed_at_start_and_folded_again_on_demand(seeded: World) -> None:
    site = f"B{uuid.uuid4().hex[:6].upper()}"
    opened_at = datetime.now(UTC) - timedelta(days=1)
    first, second = f"{site}-20261125-0001", f"{site}-20261125-0002"
    heard: list[tuple[Event, datetime]] = [
        (ticket_opened(first, site_code=site, description="中庭背景音乐没有声音", reported_at=opened_at), opened_at),
        (ticket_opened(second, site_code=site, reported_at=opened_at), opened_at),
        (
            TicketAssigned(
                ticket_id=first, site_code=site, subsystem="bgm", engineer_id="E01", engineer_name="王磊",
                rule="subsystem_owner", assigned_at=opened_at + timedelta(minutes=1),
            ),
            opened_at + timedelta(minutes=1),
        ),
    ]  # fmt: skip
    async with running(seeded, "archive") as suite:
        archive = suite["archive"]
        async with archive.runtime.database.unit_of_work() as uow:  # kept by an archive without the list
            for event, occurred_at in heard:
                await uow.connection.execute(
                    text(
                        "INSERT INTO archive.timeline (message_id, type, schema_version, occurred_at, producer, "
                        "correlation_id, ticket_id, site_code, payload) VALUES (:id, :type, 1, :at, 'test', :ticket, "
                        ":ticket, :site, CAST(:payload AS jsonb))"
                    ),
                    {
                        "id": uuid.uuid4(), "type": event.message_type, "at": occurred_at, "site": site,
                        "ticket": event.ticket_id,  # type: ignore[attr-defined]
                        "payload": json.dumps(event.model_dump(mode="json")),
                    },
                )  # fmt: skip
        await rebuild(archive.runtime.database, every=False)  # as the archive does at start

        async def listed() -> list[tuple[str, str, str | None]]:
            answer = (await archive.http.get("/tickets", params={"site_code": site, "sort": "ticket_id"})).json()
            return [(line["ticket_id"], line["status"], line["engineer_name"]) for line in answer["items"]]

        assert await listed() == [(first, "assigned", "王磊"), (second, "new", None)]
        assert await rebuild(archive.runtime.database, every=False) == 0  # listed already

        async with archive.runtime.database.unit_of_work() as uow:  # a line gone wrong (an older rule's)
            await uow.connection.execute(
                text("UPDATE archive.ticket_list SET status = 'closed' WHERE ticket_id = :t"), {"t": first}
            )
        assert await rebuild(archive.runtime.database, every=True) >= 2
        assert await eventually(listed) == [(first, "assigned", "王磊"), (second, "new", None)]
