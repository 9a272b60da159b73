"""The sites' calendars as the SLA service tells them (`sla.site_calendar`), kept by each service that
counts working days on them (dispatch for follow-up calls and inspections, vendor for the partners'
repair deadlines) in a table of its own schema: the newest revision per site, whatever order the
events arrive in, and China's official calendar until a site's first one has arrived."""

from __future__ import annotations

from alembic import op
from sqlalchemy import TIMESTAMP, Column, Integer, MetaData, Table, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.calendar import FALLBACK_SITE_CALENDAR, SiteCalendar
from shared.contracts.sla import SiteCalendarSet


def _columns() -> list[Column[object]]:
    return [
        Column("site_code", Text, primary_key=True),
        Column("revision", Integer, nullable=False),  # the SLA service's count: only a higher one replaces it
        Column("calendar", JSONB, nullable=False),  # shared.calendar.SiteCalendar, as the event carried it
        Column("timezone", Text),
        Column("policy", Text, nullable=False),
        Column("policy_version", Integer, nullable=False),
        Column("effective_at", TIMESTAMP(timezone=True), nullable=False),
        Column("received_at", TIMESTAMP(timezone=True), nullable=False, server_default=func.now()),
    ]


def site_calendars_table(metadata: MetaData) -> Table:
    return Table("site_calendars", metadata, *_columns())


def create_site_calendars_table(schema: str) -> None:
    """Migration step: the sites' calendars, in the schema of a service that counts on them."""
    op.create_table("site_calendars", *_columns(), schema=schema)


def drop_site_calendars_table(schema: str) -> None:
    op.drop_table("site_calendars", schema=schema)


async def keep_site_calendar(connection: AsyncConnection, table: Table, told: SiteCalendarSet) -> bool:
    """Keep the site's calendar unless a newer revision is kept already; True if kept."""
    row = {
        "site_code": told.site_code,
        "revision": told.revision,
        "calendar": told.calendar.model_dump(mode="json"),
        "timezone": told.timezone,
        "policy": told.policy,
        "policy_version": told.policy_version,
        "effective_at": told.effective_at,
    }
    statement = insert(table).values(row)
    kept = await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.site_code],
            set_={**row, "received_at": func.now()},
            where=table.c.revision < statement.excluded.revision,
        ).returning(table.c.site_code)
    )
    return kept.first() is not None


async def site_calendar_of(connection: AsyncConnection, table: Table, site_code: str) -> SiteCalendar:
    """The site's calendar as last told, or China's official one (working day ending 18:00) until then."""
    document = await connection.scalar(select(table.c.calendar).where(table.c.site_code == site_code))
    return FALLBACK_SITE_CALENDAR if document is None else SiteCalendar.model_validate(document)
