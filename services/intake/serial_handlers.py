"""Intake's HTTP API for serial numbers over time: a serial's whole life, and what stood at a site."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.intake import equipment
from services.intake.db import serials
from services.intake.domain import customer_view
from shared.days import AwareMoment
from shared.http import Caller, Database, Problem
from shared.refusals import Refused

router = APIRouter(tags=["equipment register and contracts"])


@router.get("/serials/{serial_number}")
async def serial_life(serial_number: str, database: Database) -> list[dict[str, Any]]:
    """Every stay of a serial number in a place of a register, oldest first: how it came (registered,
    replacement, loaner, returned from repair), when, and why it left, with the ticket and RMA."""
    async with database.connect() as connection:
        stays = await serials.of_serial(connection, serial_number)
    if not stays:
        raise Problem(404, "unknown_serial", f"serial number {serial_number!r} never stood in a register")
    return stays


@router.get("/sites/{site_code}/serials")
async def serials_at_site(
    site_code: str,
    database: Database,
    caller: Caller,
    at: Annotated[AwareMoment | None, Query(description="The moment; default: now.")] = None,
) -> list[dict[str, Any]]:
    """The serial that stood in each place of the site's register at that moment (loaners included)."""
    async with database.connect() as connection:
        try:
            await equipment.known_site(connection, site_code)
        except Refused as refused:
            raise Problem.of(refused, {"unknown_site": 404}) from refused
        found = await serials.at_site(connection, site_code, at or datetime.now(UTC))
    return customer_view.stays(found) if caller.customer_only else found
