"""Escalating to a vendor partner: the use cases behind `ticket.escalation_needed` and the service
manager's actions on a case.

A case is opened once per escalation. If its partner is onboarded and active, the self-contained
request (site, device, the engineer's words, the contact on site, the agreement's deadlines) goes to
the partner's own queue through the outbox, and `vendor.escalation.sent` lets the SLA service start
the partner's clocks; otherwise the case waits as requested. When a case ends (fixed, declined,
cancelled), `vendor.escalation.closed` lets dispatch take the ticket back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.vendor.db import case_statements as statements
from services.vendor.db import repository
from services.vendor.db.case_statements import HistoryStep
from services.vendor.domain.cases import CaseStatus, ImpossibleStep, after_cancel, after_close, after_fix
from services.vendor.partner_topology import REQUESTS_EXCHANGE
from shared.calendar import FALLBACK_SITE_CALENDAR, SiteCalendar
from shared.contracts import (
    Agreement,
    Contact,
    DeviceRef,
    TicketEscalationNeeded,
    VendorEscalationClosed,
    VendorEscalationSent,
)
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
    """The case of an escalation, sent to its partner if it can be; None if the escalation has a case.
    One read (what the request needs, and the case's number) and one write (the case with its history)."""
    partner_code = needed.vendor_code
    asset_tag = needed.device.asset_tag if needed.device else None
    needs = await statements.sending_needs(
        uow.connection, partner=partner_code, site_code=needed.site_code, asset_tag=asset_tag, new_case=True
    )
    if needs is None:
        raise SiteNotYetKnown(f"site {needed.site_code} is not known to the vendor service yet")
    number: int = needs.number
    steps = [HistoryStep("requested", CaseStatus.REQUESTED)]
    sending = _sending(needed, number, needs, now) if _sendable(needs, number, partner_code) else None
    if sending is not None:
        steps.append(sending.step)
    opened = await statements.open_case(
        uow.connection,
        number=number,
        escalation_id=_escalation_id(needed),
        ticket_id=needed.ticket_id,
        partner=partner_code,
        reason=needed.reason,
        site_code=needed.site_code,
        asset_tag=asset_tag,
        escalation=needed.model_dump_json(),
        steps=steps,
        actor=SYSTEM,
        at=now,
        **(sending.changes if sending is not None else {}),
    )
    if not opened:
        log.info("escalation has its case already", ticket_id=needed.ticket_id)
        return None
    if sending is not None:
        sending.hand_over(uow)
    return number


class SiteNotYetKnown(NotYet):
    """The escalation came before intake's description of its site: tried again later by the consumer."""


async def send(uow: UnitOfWork, number: int, *, now: datetime) -> bool:
    """Send a requested case to its partner, if the partner is active with an agreement; True if sent."""
    row = await _case(uow, number)
    if row.status != CaseStatus.REQUESTED:
        raise Refused(
            "impossible_step", f"case {repository.case_number(number)} is {row.status}, not waiting to be sent"
        )
    needed = TicketEscalationNeeded.model_validate(row.escalation)
    needs = await statements.sending_needs(
        uow.connection, partner=row.partner, site_code=row.site_code, asset_tag=row.asset_tag, new_case=False
    )
    if needs is None:
        raise SiteNotYetKnown(f"site {row.site_code} is not known to the vendor service yet")
    if not _sendable(needs, number, row.partner):
        return False
    sending = _sending(needed, number, needs, now)
    await statements.move_case(uow.connection, number, steps=[sending.step], actor=SYSTEM, at=now, **sending.changes)
    sending.hand_over(uow)
    return True


def _sendable(needs: Any, number: int, partner_code: str) -> bool:
    if needs.partner_active and needs.agreement_version is not None:
        return True
    log.warning(
        "escalation waits: no active partner with an agreement",
        case=repository.case_number(number),
        partner=partner_code,
    )
    return False


@dataclass(frozen=True)
class Sending:
    """A case as it is sent: the request for the partner's queue, the event for the other services, the
    step in its history and what the case keeps of it."""

    request: EscalationRequest
    sent: VendorEscalationSent
    step: HistoryStep
    changes: dict[str, Any]

    def hand_over(self, uow: UnitOfWork) -> None:
        """Through the outbox: sent only if the case's transaction commits."""
        case = self.request.case_number
        uow.send(self.request, exchange=REQUESTS_EXCHANGE, routing_key=self.sent.partner, correlation_id=case)
        uow.publish(self.sent, correlation_id=self.request.ticket_id)


def _sending(needed: TicketEscalationNeeded, number: int, needs: Any, now: datetime) -> Sending:
    """The self-contained request for the partner, from the escalation and what the directory knows."""
    device = DeviceRef.model_validate(needs.device) if needs.device else needed.device
    version, terms = needs.agreement_version, Agreement.model_validate(needs.agreement)
    calendar = FALLBACK_SITE_CALENDAR if needs.calendar is None else SiteCalendar.model_validate(needs.calendar)
    case = repository.case_number(number)
    reason = EscalationReason(needed.reason)
    deadlines = vendor_deadlines(
        terms, reason, now, needs.timezone, calendar.business_calendar(), calendar.business_end
    )
    request = EscalationRequest(
        case_number=case,
        ticket_id=needed.ticket_id,
        reason=reason,
        site=PartnerSite(code=needed.site_code, name=needs.name, address=needs.address, timezone=needs.timezone),
        device=device,
        fault=needed.findings or "(no findings given)",
        contact_on_site=needed.engineer or _representative(needs.representative),
        deadlines=Deadlines(
            acknowledge_by=deadlines[VendorClock.ACKNOWLEDGE],
            on_site_by=deadlines.get(VendorClock.ON_SITE),
            repaired_by=deadlines.get(VendorClock.REPAIR),
            replaced_by=deadlines.get(VendorClock.REPLACEMENT),
        ),
        agreement_version=version,
        sent_at=now,
    )
    sent = VendorEscalationSent(
        case_number=case,
        escalation_id=_escalation_id(needed),
        ticket_id=needed.ticket_id,
        partner=needed.vendor_code,
        reason=reason.value,
        site_code=needed.site_code,
        timezone=needs.timezone,
        asset_tag=needed.device.asset_tag if needed.device else None,
        agreement=terms,
        agreement_version=version,
        sent_at=now,
        calendar=calendar,
    )
    step = HistoryStep("sent", CaseStatus.SENT, {"agreement_version": version})
    return Sending(request, sent, step, {"request": request.model_dump_json(), "agreement_version": version})


def _escalation_id(needed: TicketEscalationNeeded) -> str:
    return needed.escalation_id or f"{needed.ticket_id}/{needed.vendor_code}"


def _representative(raw: Any) -> Contact:
    return Contact.model_validate(raw) if raw else Contact(name="site management")


async def end_case(
    uow: UnitOfWork,
    case: Any,
    *,
    outcome: CaseStatus,
    reason: str | None,
    actor: str,
    at: datetime,
    before: tuple[HistoryStep, ...] = (),
    **changes: Any,
) -> None:
    """Record how the case (its row, locked) ended, after the steps `before` it, and tell the other
    services (dispatch takes the ticket back)."""
    ended = HistoryStep(outcome.value, outcome, {"reason": reason} if reason else {})
    await statements.move_case(uow.connection, case.number, steps=[*before, ended], actor=actor, at=at, **changes)
    uow.publish(
        VendorEscalationClosed(
            case_number=repository.case_number(case.number),
            escalation_id=case.escalation_id,
            ticket_id=case.ticket_id,
            partner=case.partner,
            outcome=outcome.value,
            reason=reason,
            closed_at=at,
        ),
        correlation_id=case.ticket_id,
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
    await end_case(uow, row, outcome=CaseStatus.CANCELLED, reason=reason, actor=actor, at=now)


async def fix(uow: UnitOfWork, number: int, *, note: str | None, actor: str, now: datetime) -> None:
    row = await _case(uow, number)
    _or_refuse(lambda: after_fix(CaseStatus(row.status)))
    await end_case(uow, row, outcome=CaseStatus.FIXED, reason=note, actor=actor, at=now)


async def close(uow: UnitOfWork, number: int, *, actor: str, now: datetime) -> None:
    row = await _case(uow, number)
    status = _or_refuse(lambda: after_close(CaseStatus(row.status)))
    await statements.move_case(uow.connection, number, steps=[HistoryStep("closed", status)], actor=actor, at=now)


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
