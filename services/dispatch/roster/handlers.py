"""Dispatch's HTTP API of the roster: the engineers, where each stands at a site at a moment, and their
duty periods, kept by the service manager."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.common import sites
from services.dispatch.roster import duty
from services.dispatch.roster import repository as roster
from services.dispatch.roster.domain import DutyKind
from shared.days import AwareMoment, Moment
from shared.http import Actor, Database, Problem
from shared.refusals import Refused

router = APIRouter(tags=["dispatch: the service manager"])

STATUSES = {"unknown_engineer": 404, "unknown_site": 404}


@router.get("/engineers")
async def list_engineers(database: Database) -> list[dict[str, Any]]:
    """Every engineer, with skills and the sites served."""
    async with database.connect() as connection:
        return await roster.engineers_list(connection)


@router.get("/sites/{site_code}/roster")
async def site_roster(
    site_code: str,
    database: Database,
    at: Annotated[AwareMoment | None, Query(description="The moment to look at; default now.")] = None,
) -> list[dict[str, Any]]:
    """The engineers serving a site, each with where they stand at that moment and their open tickets."""
    async with database.connect() as connection:
        engineers = await roster.roster(connection, site_code, at or datetime.now(UTC))
    return [
        {
            "engineer_id": e.engineer_id,
            "name": e.name,
            "skills": sorted(e.skills),
            "duty": e.duty.value,
            "available": e.available,
            "open_tickets": e.open_tickets,
            "max_open_tickets": e.max_open_tickets,
        }
        for e in engineers
    ]


class DutyEntry(BaseModel):
    """A shift, an on-call period or leave, in the site's local time (no offset)."""

    model_config = ConfigDict(extra="forbid")

    kind: DutyKind
    site_code: str = Field(description="The site whose time zone the times are in.")
    starts: Moment = Field(description="Local start, e.g. 2026-12-01T08:30 (of the first occurrence).")
    ends: Moment = Field(description="Local end, e.g. 2026-12-01T18:00.")
    repeat: str | None = Field(default=None, description="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR.")
    note: str | None = None


@router.get("/sites/{site_code}/location")
async def site_location(site_code: str, database: Database) -> dict[str, Any]:
    """Where the site is (its coordinates, null when the site file gives none) and the radius an arrival
    is checked against: the engineer's phone opens a map to it."""
    async with database.connect() as connection:
        found = await sites.site_row(connection, site_code)
    if found is None:
        raise Problem(404, "unknown_site", f"dispatch knows no site {site_code!r}")
    return {
        "site_code": found["code"],
        "timezone": found["timezone"],
        "latitude": found["latitude"],
        "longitude": found["longitude"],
        "arrival_radius_m": found["arrival_radius_m"],
    }


@router.get("/engineers/{engineer_id}/duty")
async def engineer_duty(engineer_id: str, database: Database) -> list[dict[str, Any]]:
    """The engineer's shifts, on-call periods and leave."""
    async with database.connect() as connection:
        periods = await roster.periods_of(connection, [engineer_id])
    return [
        {key: value for key, value in row._mapping.items() if key != "engineer_id"}
        for row, _ in periods.get(engineer_id, [])
    ]


@router.post("/engineers/{engineer_id}/duty", status_code=201)
async def add_duty(engineer_id: str, entry: DutyEntry, database: Database, actor: Actor) -> dict[str, Any]:
    """Add a shift, on-call period or leave. Tickets waiting for someone are looked at again within the
    waiting interval (DISPATCH_RECURRING_INTERVAL_SECONDS)."""
    try:
        async with database.unit_of_work() as uow:
            period_id = await duty.add_duty(
                uow.connection,
                engineer_id,
                kind=entry.kind,
                starts=entry.starts,
                ends=entry.ends,
                repeat=entry.repeat,
                site_code=entry.site_code,
                note=entry.note,
                actor=actor,
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"id": period_id, "engineer_id": engineer_id}


@router.delete("/engineers/{engineer_id}/duty/{period_id}", status_code=204)
async def remove_duty(engineer_id: str, period_id: int, database: Database) -> None:
    async with database.unit_of_work() as uow:
        if not await roster.remove_period(uow.connection, engineer_id, period_id):
            raise Problem(404, "unknown_period", f"engineer {engineer_id} has no duty period {period_id}")
