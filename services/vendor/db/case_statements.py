"""The statements of the vendor service's hot path, each compiled once (shared/persistence/database.py):
an escalation costs one read and one write, a partner's reply one read and one write.

Under a burst of escalations the vendor process is CPU-bound, and building a Core statement costs it
more than the round trip. So what sending a case needs is read in one statement (the partner, its
latest agreement, the site, its calendar, the device, and the new case's number), and a case is written
with its history rows in one (a data-modifying CTE). Partners and agreements are read in the statement
the case needs anyway rather than kept in a cache: a cache would save no round trip, and an onboarding,
a disabling or a new agreement (from the command line, or another replica) would have to reach every
process before the next message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import TIMESTAMP, BigInteger, Row, Text, bindparam, column, func, literal_column, select, true, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.vendor.db.tables import agreements, case_history, cases, devices, partners, site_calendars, sites
from shared.persistence.database import PrecompiledStatement


@dataclass(frozen=True)
class HistoryStep:
    """A row of a case's history: the step taken, the status it left the case in, what it said."""

    step: str
    status: str
    detail: dict[str, Any] = field(default_factory=dict)


# --- what sending a case needs ------------------------------------------------------------------------

_PARTNER = bindparam("partner", type_=Text)
_SITE = bindparam("site_code", type_=Text)
_latest_agreement = (
    select(agreements.c.version, agreements.c.terms)
    .where(agreements.c.partner == _PARTNER)
    .order_by(agreements.c.version.desc())
    .limit(literal_column("1"))
    .lateral("agreement")
)
_site = select(sites).where(sites.c.code == _SITE).lateral("site")
_NEEDS = (
    select(partners.c.active).where(partners.c.code == _PARTNER).scalar_subquery().label("partner_active"),
    _latest_agreement.c.version.label("agreement_version"),
    _latest_agreement.c.terms.label("agreement"),
    _site.c.name,
    _site.c.address,
    _site.c.timezone,
    _site.c.representative,
    select(site_calendars.c.calendar).where(site_calendars.c.site_code == _SITE).scalar_subquery().label("calendar"),
    select(devices.c.device)
    .where(devices.c.site_code == _SITE, devices.c.asset_tag == bindparam("asset_tag", type_=Text))
    .scalar_subquery()
    .label("device"),
)
# A new case's number is drawn with what it needs, so that the request naming it can be written with the
# case (a number drawn for an escalation that turns out to have its case is skipped, as an identity's is).
_NEW_NUMBER = func.nextval(literal_column(f"pg_get_serial_sequence('{cases.fullname}', 'number')"))
NEEDS_OF_A_NEW_CASE = PrecompiledStatement(
    select(_NEW_NUMBER.label("number"), *_NEEDS).select_from(_site.outerjoin(_latest_agreement, true()))
)
NEEDS_OF_A_CASE = PrecompiledStatement(select(*_NEEDS).select_from(_site.outerjoin(_latest_agreement, true())))


async def sending_needs(
    connection: AsyncConnection, *, partner: str, site_code: str, asset_tag: str | None, new_case: bool
) -> Row[Any] | None:
    """The partner (`partner_active`: None if unknown), its latest agreement (`agreement_version`,
    `agreement`), the site (`name`, `address`, `timezone`, `representative`), its `calendar` and the
    `device` as the directory knows them, and with `new_case` the new case's `number`; None while the
    site is unknown."""
    statement = NEEDS_OF_A_NEW_CASE if new_case else NEEDS_OF_A_CASE
    values = {"partner": partner, "site_code": site_code, "asset_tag": asset_tag}
    return (await statement.execute(connection, values)).first()


# --- writing a case with its history ------------------------------------------------------------------

_STEPS = (
    func.jsonb_array_elements(bindparam("steps", type_=JSONB))
    .table_valued(column("value", JSONB), with_ordinality="ordinality")
    .render_derived(name="step")
)


def _history_of(written: Any) -> Any:
    """The history rows of the case the CTE `written` returns, one per element of `steps`, in order."""
    value = _STEPS.c.value
    rows = (
        select(
            written.c.number,
            value.op("->>", return_type=Text)(literal_column("'step'")),
            value.op("->>", return_type=Text)(literal_column("'status'")),
            bindparam("actor", type_=Text),
            value.op("->", return_type=JSONB)(literal_column("'detail'")),
            bindparam("at", type_=TIMESTAMP(timezone=True)),
        )
        .select_from(written.join(_STEPS, true()))
        .order_by(_STEPS.c.ordinality)
    )
    columns = ["case_number", "step", "status", "actor", "detail", "at"]
    return insert(case_history).from_select(columns, rows).add_cte(written, nest_here=True)


_OPENED_COLUMNS = (
    "number",
    "escalation_id",
    "ticket_id",
    "partner",
    "reason",
    "status",
    "site_code",
    "asset_tag",
    "escalation",
    "request",
    "agreement_version",
)
OPEN_CASE = PrecompiledStatement(
    _history_of(
        insert(cases)
        .values({name: bindparam(name, type_=cases.c[name].type) for name in _OPENED_COLUMNS})
        .on_conflict_do_nothing()
        .returning(cases.c.number)
        .cte("opened")
    ).returning(case_history.c.case_number)
)

# The columns a step may change; one it leaves alone is passed as None and keeps its value.
CHANGEABLE = ("request", "agreement_version", "partner_step_at", "rma_number", "new_serial_number")
MOVE_CASE = PrecompiledStatement(
    _history_of(
        update(cases)
        .where(cases.c.number == bindparam("number", type_=BigInteger))
        .values(
            status=bindparam("status", type_=Text),
            updated_at=func.now(),
            **{name: func.coalesce(bindparam(name, type_=cases.c[name].type), cases.c[name]) for name in CHANGEABLE},
        )
        .returning(cases.c.number)
        .cte("moved")
    )
)
RECORD = PrecompiledStatement(
    insert(case_history)
    .values({name: bindparam(name) for name in ("case_number", "step", "status", "actor", "detail", "at")})
    .inline()
)


def _steps(steps: list[HistoryStep]) -> str:
    return json.dumps([{"step": s.step, "status": s.status, "detail": s.detail} for s in steps])


async def open_case(
    connection: AsyncConnection,
    *,
    number: int,
    escalation_id: str,
    ticket_id: str,
    partner: str,
    reason: str,
    site_code: str,
    asset_tag: str | None,
    escalation: str,
    steps: list[HistoryStep],
    actor: str,
    at: datetime,
    request: str | None = None,
    agreement_version: int | None = None,
) -> bool:
    """A new case in the status of its last step, with its history; False if this escalation has one
    already. `escalation` and `request` are JSON (driver SQL: JSONB travels as text)."""
    values = {
        "number": number,
        "escalation_id": escalation_id,
        "ticket_id": ticket_id,
        "partner": partner,
        "reason": reason,
        "status": steps[-1].status,
        "site_code": site_code,
        "asset_tag": asset_tag,
        "escalation": escalation,
        "request": request,
        "agreement_version": agreement_version,
        "steps": _steps(steps),
        "actor": actor,
        "at": at,
    }
    return (await OPEN_CASE.execute(connection, values)).first() is not None


async def move_case(
    connection: AsyncConnection, number: int, *, steps: list[HistoryStep], actor: str, at: datetime, **changes: Any
) -> None:
    """Put the case in its last step's status, with those steps in its history and the `changes` made
    (of CHANGEABLE; a `request` as JSON)."""
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValueError(f"a step does not change {sorted(unknown)}")
    values = {name: changes.get(name) for name in CHANGEABLE}
    values |= {"number": number, "status": steps[-1].status, "steps": _steps(steps), "actor": actor, "at": at}
    await MOVE_CASE.execute(connection, values)


async def record(connection: AsyncConnection, number: int, step: HistoryStep, *, actor: str, at: datetime) -> None:
    """A step in the case's history that leaves the case as it is."""
    values = {
        "case_number": number,
        "step": step.step,
        "status": step.status,
        "actor": actor,
        "detail": json.dumps(step.detail),
        "at": at,
    }
    await RECORD.execute(connection, values)


# --- a partner's reply --------------------------------------------------------------------------------

_locked = (
    select(
        cases.c.number,
        cases.c.escalation_id,
        cases.c.ticket_id,
        cases.c.partner,
        cases.c.status,
        cases.c.partner_step_at,
    )
    .where(cases.c.number == bindparam("number", type_=BigInteger))
    .with_for_update()
    .cte("locked")
)
PARTNER_AND_CASE = PrecompiledStatement(
    select(partners.c.active.label("partner_active"), _locked)
    .select_from(partners.outerjoin(_locked, true()))
    .where(partners.c.code == bindparam("partner", type_=Text))
)


async def partner_and_case(connection: AsyncConnection, partner: str, number: int | None) -> Row[Any] | None:
    """Whether the partner is active (`partner_active`) and the case, locked for this transaction (its
    columns None if there is no such case); None for an unknown partner."""
    return (await PARTNER_AND_CASE.execute(connection, {"partner": partner, "number": number})).first()
