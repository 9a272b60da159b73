"""Escalating to a vendor partner: the use cases behind `ticket.escalation_needed` and the service
manager's actions on a case.

A case is opened once per escalation. If its partner is onboarded and active, the self-contained
request (site, device, the engineer's words, the contact on site, the agreement's deadlines) goes to
the partner's own queue through the outbox, and `vendor.escalation.sent` lets the SLA service start
the partner's clocks; otherwise the case waits as requested. When a case ends (fixed, declined,
cancelled), `vendor.escalation.closed` lets dispatch take the ticket back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.vendor.db import repository
from services.vendor.domain.cases import CaseStatus, ImpossibleStep, after_cancel, after_close, after_fix
from services.vendor.partner_topology import REQUESTS_EXCHANGE
from shared.contracts import Contact, TicketEscalationNeeded, VendorEscalationClosed, VendorEscalationSent
from shared.contracts.partners import Deadlines, EscalationCancelled, EscalationReason, EscalationRequest, PartnerSite
from shared.contracts.sla import VendorClock
from shared.logs import get_logger
from shared.messaging.failures import NotYet
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused
from shared.vendor_agreements import vendor_deadlines

log = get_logger(__name__)
SYSTEM = "vendor"


async def open_case(uow: UnitOfWork, needed: TicketEscalationNeeded, *, now: datetime) -> int | None:
    """The case of an escalation, sent to its partner if it can be; None if the escalation has a case."""
    connection = uow.connection
    asset_tag = needed.device.asset_tag if needed.device else None
    partner_code = needed.vendor_code
    number = await repository.open_case(
        connection,
        escalation_id=needed.escalation_id or f"{needed.ticket_id}/{partner_code}",
        ticket_id=needed.ticket_id,
        partner=partner_code,
        reason=needed.reason,
        status=CaseStatus.REQUESTED,
        site_code=needed.site_code,
        asset_tag=asset_tag,
        escalation=needed.model_dump(mode="json"),
    )
    if number is None:
        log.info("escalation has its case already", ticket_id=needed.ticket_id)
        return None
    await repository.record(
        connection, number, step="requested", status=CaseStatus.REQUESTED, actor=SYSTEM, detail={}, at=now
    )
    await send(uow, number, now=now)
    return number


class SiteNotYetKnown(NotYet):
    """The escalation came before intake's description of its site: tried again later by the consumer."""


async def send(uow: UnitOfWork, number: int, *, now: datetime) -> bool:
    """Send a requested case to its partner, if the partner is active with an agreement; True if sent."""
    connection = uow.connection
    row = await _case(uow, number)
    if row.status != CaseStatus.REQUESTED:
        raise Refused(
            "impossible_step", f"case {repository.case_number(number)} is {row.status}, not waiting to be sent"
        )
    partner_code = row.partner
    partner = await repository.partner(connection, partner_code)
    agreement = await repository.latest_agreement(connection, partner_code)
    site = await repository.site(connection, row.site_code)
    if site is None:
        raise SiteNotYetKnown(f"site {row.site_code} is not known to the vendor service yet")
    if partner is None or not partner.active or agreement is None:
        log.warning(
            "escalation waits: no active partner with an agreement",
            case=repository.case_number(number),
            partner=partner_code,
        )
        return False
    needed = TicketEscalationNeeded.model_validate(row.escalation)
    device = needed.device
    if device is not None:
        device = await repository.device(connection, row.site_code, device.asset_tag) or device
    version, terms = agreement
    case = repository.case_number(number)
    escalation_id = row.escalation_id
    reason = EscalationReason(needed.reason)
    calendar = await repository.site_calendar(connection, row.site_code)  # the site's SLA policy's
    deadlines = vendor_deadlines(terms, reason, now, site.timezone, calendar.business_calendar(), calendar.business_end)
    request = EscalationRequest(
        case_number=case,
        ticket_id=needed.ticket_id,
        reason=reason,
        site=PartnerSite(code=site.code, name=site.name, address=site.address, timezone=site.timezone),
        device=device,
        fault=needed.findings or "(no findings given)",
        contact_on_site=needed.engineer or _representative(site.representative),
        deadlines=Deadlines(
            acknowledge_by=deadlines[VendorClock.ACKNOWLEDGE],
            on_site_by=deadlines.get(VendorClock.ON_SITE),
            repaired_by=deadlines.get(VendorClock.REPAIR),
            replaced_by=deadlines.get(VendorClock.REPLACEMENT),
        ),
        agreement_version=version,
        sent_at=now,
    )
    uow.send(request, exchange=REQUESTS_EXCHANGE, routing_key=partner_code, correlation_id=case)
    await repository.change_case(
        connection, number, status=CaseStatus.SENT, request=request.model_dump(mode="json"), agreement_version=version
    )
    await repository.record(
        connection,
        number,
        step="sent",
        status=CaseStatus.SENT,
        actor=SYSTEM,
        detail={"agreement_version": version},
        at=now,
    )
    uow.publish(
        VendorEscalationSent(
            case_number=case,
            escalation_id=escalation_id,
            ticket_id=needed.ticket_id,
            partner=partner_code,
            reason=reason.value,
            site_code=needed.site_code,
            timezone=site.timezone,
            asset_tag=row.asset_tag,
            agreement=terms,
            agreement_version=version,
            sent_at=now,
            calendar=calendar,
        ),
        correlation_id=needed.ticket_id,
    )
    return True


def _representative(raw: Any) -> Contact:
    return Contact.model_validate(raw) if raw else Contact(name="site management")


async def end_case(
    uow: UnitOfWork, number: int, *, outcome: CaseStatus, reason: str | None, actor: str, at: datetime, **changes: Any
) -> None:
    """Record how the case ended and tell the other services (dispatch takes the ticket back)."""
    row = await _case(uow, number)
    await repository.change_case(uow.connection, number, status=outcome, **changes)
    await repository.record(
        uow.connection,
        number,
        step=outcome.value,
        status=outcome,
        actor=actor,
        detail={"reason": reason} if reason else {},
        at=at,
    )
    uow.publish(
        VendorEscalationClosed(
            case_number=repository.case_number(number),
            escalation_id=row.escalation_id,
            ticket_id=row.ticket_id,
            partner=row.partner,
            outcome=outcome.value,
            reason=reason,
            closed_at=at,
        ),
        correlation_id=row.ticket_id,
    )


async def cancel(uow: UnitOfWork, number: int, *, reason: str, actor: str, now: datetime) -> None:
    row = await _case(uow, number)
    _or_refuse(lambda: after_cancel(CaseStatus(row.status)))
    if row.status != CaseStatus.REQUESTED:
        case = repository.case_number(number)
        uow.send(
            EscalationCancelled(case_number=case, reason=reason, cancelled_at=now),
            exchange=REQUESTS_EXCHANGE,
            routing_key=row.partner,
            correlation_id=case,
        )
    await end_case(uow, number, outcome=CaseStatus.CANCELLED, reason=reason, actor=actor, at=now)


async def fix(uow: UnitOfWork, number: int, *, note: str | None, actor: str, now: datetime) -> None:
    row = await _case(uow, number)
    _or_refuse(lambda: after_fix(CaseStatus(row.status)))
    await end_case(uow, number, outcome=CaseStatus.FIXED, reason=note, actor=actor, at=now)


async def close(uow: UnitOfWork, number: int, *, actor: str, now: datetime) -> None:
    row = await _case(uow, number)
    status = _or_refuse(lambda: after_close(CaseStatus(row.status)))
    await repository.change_case(uow.connection, number, status=status)
    await repository.record(uow.connection, number, step="closed", status=status, actor=actor, detail={}, at=now)


async def _case(uow: UnitOfWork, number: int) -> Any:
    row = await repository.case_for_update(uow.connection, number)
    if row is None:
        raise Refused("unknown_case", f"no vendor case {repository.case_number(number)}")
    return row


def _or_refuse(step: Any) -> CaseStatus:
    try:
        status: CaseStatus = step()
    except ImpossibleStep as impossible:
        raise Refused("impossible_step", str(impossible)) from impossible
    return status
