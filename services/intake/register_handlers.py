"""Intake's HTTP API for the equipment register and the maintenance contracts of each site."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from services.intake import equipment, site_contracts
from services.intake.domain import customer_view
from services.intake.domain.contract import MaintenanceContract
from services.intake.domain.register import Device, DeviceStatus
from shared.calendar_queries import Day
from shared.contracts import Contact, Coverage
from shared.http import Actor, Caller, Database, Problem, file_named
from shared.refusals import Refused
from shared.spreadsheets import MEDIA_TYPES, SheetFormat, UnreadableSheet, read_sheet, write_sheet

router = APIRouter(tags=["equipment register and contracts"])

STATUSES = {
    "unknown_site": 404,
    "unknown_device": 404,
    "duplicate_asset_tag": 409,
    "serial_taken": 409,
    "contract_overlap": 409,
    "contract_of_another_site": 409,
}

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


def _problem(refused: Refused) -> Problem:
    return Problem.of(refused, STATUSES)


@router.get("/sites/{site_code}/equipment")
async def list_devices(
    site_code: str,
    database: Database,
    subsystem: str | None = None,
    status: DeviceStatus | None = None,
    vendor_code: str | None = None,
    q: Annotated[str | None, Query(description="Part of the asset tag, model, serial number or location.")] = None,
) -> list[Device]:
    """The site's equipment register, filtered."""
    try:
        async with database.connect() as connection:
            return await equipment.list_devices(
                connection, site_code, subsystem=subsystem, status=status, vendor_code=vendor_code, search=q
            )
    except Refused as refused:
        raise _problem(refused) from refused


@router.post("/sites/{site_code}/equipment", status_code=201)
async def add_device(site_code: str, device: Device, database: Database, actor: Actor) -> Device:
    """Register a new device."""
    try:
        async with database.unit_of_work() as uow:
            return await equipment.add_device(uow, site_code, device, actor=actor)
    except Refused as refused:
        raise _problem(refused) from refused


@router.get(
    "/sites/{site_code}/equipment/export",
    response_class=Response,
    responses={200: {"content": {media_type: {} for media_type in MEDIA_TYPES.values()}}},
)
async def export_register(site_code: str, database: Database, format: SheetFormat = SheetFormat.XLSX) -> Response:
    """The whole register as a spreadsheet (XLSX) or CSV, in the columns an import reads."""
    try:
        async with database.connect() as connection:
            header, rows = await equipment.export_devices(connection, site_code)
    except Refused as refused:
        raise _problem(refused) from refused
    return Response(
        write_sheet(header, rows, format),
        media_type=format.media_type,
        headers=file_named(f"{site_code}-equipment.{format.value}"),
    )


@router.post(
    "/sites/{site_code}/equipment/import",
    openapi_extra={
        "requestBody": {"required": True, "content": {media_type: {} for media_type in MEDIA_TYPES.values()}}
    },
)
async def import_register(
    site_code: str,
    request: Request,
    database: Database,
    actor: Actor,
    dry_run: Annotated[bool, Query(description="Check and report, write nothing.")] = False,
    reason: Annotated[str, Query(max_length=500)] = "register import",
) -> dict[str, Any]:
    """Add and update devices from a register file (the body, as text/csv or XLSX). A file with any
    problem is refused whole, every problem listed by row and column; nothing is imported."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip()
    sheet_format = next((f for f, m in MEDIA_TYPES.items() if m == media_type), None)
    if sheet_format is None:
        raise Problem(
            415, "unsupported_file", f"send the register as {' or '.join(MEDIA_TYPES.values())} (Content-Type)"
        )
    try:
        # Reading a workbook takes a while (seconds for thousands of rows): off the event loop.
        header, rows = await asyncio.to_thread(read_sheet, await request.body(), sheet_format)
        async with database.unit_of_work() as uow:
            report = await equipment.import_devices(
                uow, site_code, header, rows, dry_run=dry_run, actor=actor, reason=reason
            )
    except UnreadableSheet as unreadable:
        raise Problem(422, "unreadable_file", str(unreadable)) from unreadable
    except Refused as refused:
        raise _problem(refused) from refused
    return report.summary()


@router.get("/sites/{site_code}/equipment/{asset_tag}")
async def get_device(site_code: str, asset_tag: str, database: Database, caller: Caller) -> dict[str, Any]:
    """One device and the history of its changes: who, when, why, each field's old and new value (a
    customer sees when and what, not who nor why)."""
    try:
        async with database.connect() as connection:
            found = await equipment.device_with_history(connection, site_code, asset_tag)
    except Refused as refused:
        raise _problem(refused) from refused
    return customer_view.device_with_history(found) if caller.customer_only else found


class DeviceChange(BaseModel):
    """The fields to change, and why."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason
    subsystem: str | None = None
    model: str | None = None
    manufacturer: str | None = None
    serial_number: str | None = None
    vendor_code: str | None = None
    install_date: Day | None = None
    warranty_until: Day | None = None
    location: str | None = None
    quantity: int | None = None
    status: DeviceStatus | None = None


@router.patch("/sites/{site_code}/equipment/{asset_tag}")
async def change_device(
    site_code: str, asset_tag: str, change: DeviceChange, database: Database, actor: Actor
) -> Device:
    """Change some of a device's fields (only those given), with the reason; recorded in its history."""
    fields = change.model_dump(exclude_unset=True, exclude={"reason"})
    try:
        async with database.unit_of_work() as uow:
            return await equipment.change_device(uow, site_code, asset_tag, fields, reason=change.reason, actor=actor)
    except ValidationError as invalid:
        raise Problem(422, "invalid_device", _first_error(invalid)) from invalid
    except Refused as refused:
        raise _problem(refused) from refused


class Retirement(BaseModel):
    status: DeviceStatus = Field(default=DeviceStatus.RETIRED, description="retired, or replaced")
    reason: Reason


@router.post("/sites/{site_code}/equipment/{asset_tag}/retire")
async def retire_device(
    site_code: str, asset_tag: str, retirement: Retirement, database: Database, actor: Actor
) -> Device:
    """Take a device out of service for good: retired, or replaced by another."""
    try:
        async with database.unit_of_work() as uow:
            return await equipment.retire_device(
                uow, site_code, asset_tag, retirement.status, reason=retirement.reason, actor=actor
            )
    except Refused as refused:
        raise _problem(refused) from refused


class ContractTerms(BaseModel):
    """A maintenance contract as the service manager enters it (its code is in the path)."""

    model_config = ConfigDict(extra="forbid")

    starts_on: Day
    ends_on: Day
    covered_subsystems: frozenset[str] = Field(min_length=1)
    sla_policy: str | None = None
    customer_representative: Contact
    quality_desk: Contact
    contacts: tuple[Contact, ...] = ()


@router.get("/sites/{site_code}/contracts")
async def list_contracts(site_code: str, database: Database) -> list[MaintenanceContract]:
    """The site's maintenance contracts, oldest first."""
    try:
        async with database.connect() as connection:
            return await site_contracts.contracts(connection, site_code)
    except Refused as refused:
        raise _problem(refused) from refused


@router.put("/sites/{site_code}/contracts/{code}")
async def put_contract(site_code: str, code: str, terms: ContractTerms, database: Database) -> MaintenanceContract:
    """Add a contract (a renewal is a new one), or correct the one with this code."""
    try:
        contract = MaintenanceContract(code=code, **terms.model_dump())
        async with database.unit_of_work() as uow:
            await site_contracts.put_contract(uow, site_code, contract, now=datetime.now(UTC))
    except ValidationError as invalid:
        raise Problem(422, "invalid_contract", _first_error(invalid)) from invalid
    except Refused as refused:
        raise _problem(refused) from refused
    return contract


@router.get("/sites/{site_code}/coverage")
async def get_coverage(
    site_code: str,
    subsystem: str,
    database: Database,
    asset_tag: str | None = None,
    on: Annotated[Day | None, Query(description="The day of the report (site time); default today.")] = None,
) -> Coverage:
    """What would cover a ticket for this subsystem and device: warranty, contract, or chargeable."""
    try:
        async with database.connect() as connection:
            return await site_contracts.coverage(connection, site_code, subsystem, asset_tag, on)
    except Refused as refused:
        raise _problem(refused) from refused


def _first_error(invalid: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg'].removeprefix('Value error, ')}"
        for error in invalid.errors()
    )
