"""Registers drawn up when their period closes, once, by competing archive processes: two calendars on
two connection pools look at the same moment just after a month ends at the site; one register is
drawn up, none for a period that ended before the archive heard of the site, and none again later."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import services
from services.archive.db import registers, timeline
from services.archive.domain.periods import RegisterKind, period_containing
from services.archive.register_calendar import RegisterCalendar
from services.archive.registers import draw_up
from services.archive.rendering import Renderer
from services.archive.settings import ArchiveSettings
from shared.contracts import SiteDescribed
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from testkit.world import World, create_world, destroy_world

TIMEZONE = "Asia/Shanghai"


@pytest.fixture(scope="module")
def own_world() -> Iterator[World]:
    """A world of this module's own: a calendar draws up registers for every site it knows."""
    created = create_world()
    try:
        yield created
    finally:
        destroy_world(created)


def _database(world: World) -> ServiceDatabase:
    return ServiceDatabase(
        create_engine(world.database_url, pool_size=3), services.definition("archive").metadata, producer="archive"
    )


async def test_a_closed_month_gets_one_register_whatever_the_number_of_calendars(own_world: World) -> None:
    site = f"T{uuid.uuid4().hex[:6].upper()}"
    heard = datetime.now(UTC)
    first, second = _database(own_world), _database(own_world)
    try:
        async with first.connect() as connection:
            await timeline.record(
                connection,
                message_id=uuid.uuid4(),
                type=SiteDescribed.message_type,
                schema_version=1,
                occurred_at=heard,
                producer="intake",
                correlation_id=site,
                causation_id=None,
                ticket_id=None,
                site_code=site,
                payload=SiteDescribed(
                    site_code=site,
                    name="Calendar plaza",
                    address="1 Test Road",
                    timezone=TIMEZONE,
                    customer="Calendar Ltd",
                    representative=None,
                    contract_code=None,
                ).model_dump(mode="json"),
            )
            await connection.commit()
        month = period_containing(RegisterKind.MONTHLY, heard.astimezone(ZoneInfo(TIMEZONE)).date())
        after_it = month.ends(TIMEZONE) + timedelta(minutes=5)
        renderer = Renderer(ArchiveSettings().font_paths)

        def calendar(database: ServiceDatabase, at: datetime) -> RegisterCalendar:
            return RegisterCalendar(
                database, renderer, interval=timedelta(minutes=5), default_timezone=TIMEZONE, now=lambda: at
            )

        # A draft of the running month, drawn up on demand before it ends, is drawn up again, whole, at its close.
        async with first.unit_of_work() as uow:
            await draw_up(uow, renderer, site, month, default_timezone=TIMEZONE, now=heard)
        drawn = await asyncio.gather(
            calendar(first, after_it).draw_up_closed(), calendar(second, after_it).draw_up_closed()
        )
        async with first.connect() as connection:
            kept = await registers.of_site(connection, site)
        # The month just ended gets its register; the quarter, unless it ended with the month, ended
        # before the archive heard of the site.
        quarter_ended = month.last == period_containing(RegisterKind.QUARTERLY, month.last).last
        assert sorted((r["kind"], r["period"]) for r in kept) == sorted(
            [("monthly", month.label)]
            + ([("quarterly", f"{month.first.year}-Q{(month.first.month - 1) // 3 + 1}")] if quarter_ended else [])
        )
        assert sorted(drawn[0] + drawn[1]) == sorted(r["code"] for r in kept)  # each once, by one calendar
        monthly = next(r for r in kept if r["kind"] == "monthly")
        assert (monthly["latest_version"], monthly["drawn_up_at"]) == (2, after_it)

        later = await calendar(second, after_it + timedelta(days=1)).draw_up_closed()
        assert later == []
    finally:
        await first.engine.dispose()
        await second.engine.dispose()
