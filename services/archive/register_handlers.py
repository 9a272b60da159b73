"""The archive's HTTP API for a site's registers: draw one up (a month, a quarter, or the acceptance at
handover), read where it stands, and sign it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, StringConstraints, field_validator

from services.archive import registers
from services.archive.db import registers as register_rows
from services.archive.domain.acceptance import Check, CheckResult, Handover
from services.archive.domain.periods import BadPeriod, RegisterKind, acceptance, parse, period_containing
from services.archive.domain.signing import CONFLICTS, Party, RegisterRefused, Signature
from services.archive.rendering import Renderer, renderer_for
from services.archive.settings import ArchiveSettings
from shared.calendar_queries import Day
from shared.days import AwareMoment
from shared.http import Caller, Database, Problem
from shared.identity import Role
from shared.moments import in_the_future
from shared.signatures import png_in_base64

router = APIRouter(tags=["registers"])

SIGNS_FOR = {Party.INTEGRATOR: Role.MANAGER, Party.CUSTOMER: Role.CUSTOMER}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


async def _settings(request: Request) -> ArchiveSettings:
    return cast(ArchiveSettings, request.app.state.runtime.settings)


Settings = Annotated[ArchiveSettings, Depends(_settings)]


async def _renderer(settings: Settings) -> Renderer:
    return renderer_for(tuple(settings.font_paths))


PdfRenderer = Annotated[Renderer, Depends(_renderer)]


class DrawUp(BaseModel):
    kind: RegisterKind = Field(description="monthly or quarterly (acceptance: POST .../registers/acceptance).")
    period: str | None = Field(
        default=None, description="2026-11 for a month, 2026-Q4 for a quarter; default: the running one (a draft)."
    )


class CheckLine(BaseModel):
    subsystem: Text
    item: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    result: CheckResult
    remark: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class HandoverRequest(BaseModel):
    handed_over_on: Day
    checks: list[CheckLine] = Field(min_length=1, max_length=2000, description="The completion list as found.")
    integrator_present: list[Text] = Field(min_length=1, max_length=20)
    customer_present: list[Text] = Field(min_length=1, max_length=20, description="The customer must be present.")
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None


class SignRequest(BaseModel):
    version: int = Field(ge=1, description="The version read and signed: the latest, or the request is refused.")
    party: Party
    name: Text
    role: Text
    signed_at: AwareMoment | None = Field(default=None, description="Default: now.")
    signature_png: str | None = Field(default=None, description="The handwritten signature as drawn: PNG, base64.")

    @field_validator("signature_png")
    @classmethod
    def _a_png(cls, value: str | None) -> str | None:
        return png_in_base64(value)


@router.post("/sites/{site_code}/registers", status_code=201)
async def draw_up(
    site_code: str, request: DrawUp, database: Database, settings: Settings, renderer: PdfRenderer
) -> dict[str, Any]:
    """Draw up the site's register of a month or a quarter from what the archive has kept: the first
    version, or a new one that supersedes the last (409 once it is signed and locked)."""
    now = datetime.now(UTC)
    async with database.connect() as connection:
        described = await registers.site_described(connection, site_code)
    timezone = described.timezone if described else settings.default_timezone  # unknown: refused below
    running = now.astimezone(ZoneInfo(timezone)).date()  # the site's today
    try:
        if request.kind is RegisterKind.ACCEPTANCE:
            raise BadPeriod("an acceptance register records its handover: POST /sites/{site}/registers/acceptance")
        period = parse(request.kind, request.period) if request.period else period_containing(request.kind, running)
    except BadPeriod as bad:
        raise Problem(422, "bad_period", str(bad)) from bad
    if period.first > running:
        raise Problem(422, "period_not_begun", f"{period.label} has not begun; a register covers days that have passed")
    return await _drawn_up(database, settings, renderer, site_code, now, period=period)


@router.post("/sites/{site_code}/registers/acceptance", status_code=201)
async def draw_up_acceptance(
    site_code: str, request: HandoverRequest, database: Database, settings: Settings, renderer: PdfRenderer
) -> dict[str, Any]:
    """Record the handover (前期接收) as the contract's acceptance register, with every device's model
    and quantity attached; drawing it up again makes a new version until both parties sign."""
    handover = Handover(
        handed_over_on=request.handed_over_on,
        checks=tuple(Check(c.subsystem, c.item, c.result, c.remark) for c in request.checks),
        integrator_present=tuple(request.integrator_present),
        customer_present=tuple(request.customer_present),
        notes=request.notes,
    )
    period = acceptance(request.handed_over_on)
    return await _drawn_up(database, settings, renderer, site_code, datetime.now(UTC), period=period, handover=handover)


@router.get("/sites/{site_code}/registers")
async def site_registers(site_code: str, database: Database) -> list[dict[str, Any]]:
    """The site's registers, oldest period first, with where each stands."""
    async with database.connect() as connection:
        return [_public(row) for row in await register_rows.of_site(connection, site_code)]


@router.get("/registers/{code}")
async def read_register(code: str, database: Database) -> dict[str, Any]:
    """A register: its versions so far, the signatures of its latest, and whether it is locked."""
    async with database.connect() as connection:
        row = await register_rows.by_code(connection, code)
        if row is None:
            raise Problem(404, "unknown_register", f"no register {code!r}")
        # A locked register's signatures are on the version they sealed, the one before the seal.
        shown = row["locked_version"] - 1 if row["locked_version"] is not None else row["latest_version"]
        signed = await register_rows.signatures(connection, code, shown)
    return {
        **_public(row),
        "signatures": [
            {
                "party": s.party.value,
                "name": s.name,
                "role": s.role,
                "signed_at": s.signed_at.isoformat(),
                "signed_by": s.signed_by,
            }
            for s in signed
        ],
    }


@router.post("/registers/{code}/signatures", status_code=201)
async def sign(
    code: str, request: SignRequest, database: Database, settings: Settings, renderer: PdfRenderer, caller: Caller
) -> dict[str, Any]:
    """One party signs the version it read: the service manager for the integrator, the customer's
    representative for the customer. The second signature locks the register: a sealed version is
    filed whose hash covers the signed PDF and both signatures. Signing a superseded version, signing
    twice or signing a locked register is refused with 409."""
    if SIGNS_FOR[request.party] not in caller.roles:
        raise Problem(
            403,
            "not_this_party",
            f"the {request.party.value} signs as a {SIGNS_FOR[request.party].value}; you are "
            f"{', '.join(sorted(caller.roles)) or 'no role'}",
        )
    if request.party is Party.CUSTOMER and caller.site_code != code.split("-", 1)[0]:
        raise Problem(403, "other_site", f"you represent site {caller.site_code}, not the site of register {code}")
    now = datetime.now(UTC)
    signed_at = request.signed_at or now
    if in_the_future(signed_at, now):
        raise Problem(422, "signed_in_the_future", f"signed_at {signed_at.isoformat()} is ahead of the archive's clock")
    signature = Signature(
        request.party, request.name, request.role, signed_at, request.signature_png, signed_by=caller.subject
    )
    try:
        async with database.unit_of_work() as uow:
            row = await registers.sign(
                uow, renderer, code, request.version, signature, default_timezone=settings.default_timezone, now=now
            )
    except registers.UnknownRegister as unknown:
        raise Problem(404, "unknown_register", f"no register {code!r}") from unknown
    except RegisterRefused as refused:
        raise Problem.of(refused, dict.fromkeys(CONFLICTS, 409) | {"unknown_version": 404}) from refused
    return _public(row)


async def _drawn_up(
    database: Database,
    settings: ArchiveSettings,
    renderer: Renderer,
    site_code: str,
    now: datetime,
    **what: Any,
) -> dict[str, Any]:
    try:
        async with database.unit_of_work() as uow:
            row = await registers.draw_up(
                uow, renderer, site_code, default_timezone=settings.default_timezone, now=now, **what
            )
    except RegisterRefused as refused:
        raise Problem.of(refused, dict.fromkeys(CONFLICTS, 409) | {"unknown_site": 404}) from refused
    assert row is not None
    return _public(row)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "site_code": row["site_code"],
        "kind": row["kind"],
        "period": row["period"],
        "first_day": row["first_day"].isoformat(),
        "last_day": row["last_day"].isoformat(),
        "latest_version": row["latest_version"],
        "status": "locked" if row["locked_version"] is not None else "draft",
        "locked_version": row["locked_version"],
        "drawn_up_at": row["drawn_up_at"].isoformat(),
        "locked_at": row["locked_at"].isoformat() if row["locked_at"] else None,
    }
