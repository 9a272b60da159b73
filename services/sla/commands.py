"""`aftercare sla`: the SLA service's operator commands."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import typer

from services.sla.settings import SlaSettings
from services.sla.site_calendars import publish_every_site
from shared.persistence.database import create_engine
from shared.service import database_of

sla = typer.Typer(help="The SLA service: policies and the sites' calendars.", no_args_is_help=True)


@sla.command("publish-calendars")
def publish_calendars() -> None:
    """Publish every known site's calendar again (`sla.site_calendar`), through the outbox: for a
    deployment whose dispatch or vendor service started after the calendars were first told. The SLA
    service's outbox relay sends them (at its next poll, within seconds, if it runs; when it starts, otherwise)."""
    published = asyncio.run(_publish())
    typer.echo(f"published the calendar of {len(published)} site(s): {', '.join(published) or 'none known'}")


async def _publish() -> list[str]:
    from services.sla.app import service

    engine = create_engine(SlaSettings().database_url, pool_size=1)
    try:
        return await publish_every_site(database_of(service, engine), now=datetime.now(UTC))
    finally:
        await engine.dispose()
