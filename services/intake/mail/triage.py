"""The operator's triage of the mails the hotline could not place (`unmatched`) or held back
(`throttled`): make a ticket of one (the site, and the subsystem or kind the operator chooses), add it to
a ticket as the customer's comment, or dismiss it with why. Each is done once: a mail already triaged,
or placed by the hotline itself, is refused with what it became."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.mail import files, replies
from services.intake.mail import repository as rows
from services.intake.mail.taking import Outcome, customer_wrote, request_for, submit_mail
from services.intake.settings import IntakeSettings
from shared.contracts import Priority, ServiceKind
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused

WAITING = frozenset({"unmatched", "throttled"})


class TriageRefused(Refused):
    """The mail cannot be triaged so."""


async def make_ticket(
    uow: UnitOfWork,
    mail_id: UUID,
    *,
    site_code: str,
    subsystem: str | None,
    kind: ServiceKind | None,
    priority: Priority,
    actor: str,
    now: datetime,
    settings: IntakeSettings,
) -> Outcome:
    mail = await _waiting(uow, mail_id)
    request = request_for(
        site_code, subsystem, None, message_id=mail["message_id"], subject=mail["subject"], words=mail["words"],
        sender=mail["sender"], sender_name=mail["sender_name"], reported_at=_reported(mail, settings, now), kind=kind,
        priority=priority,
    )  # fmt: skip
    outcome = await submit_mail(uow, request, settings, now, how="operator")
    if outcome.ticket_id is None:
        raise TriageRefused(outcome.why, f"no ticket could be opened at {site_code}: {outcome.why}")
    await rows.settle(uow.connection, mail_id, **_triaged(outcome, actor, now))
    await _send_photos(uow, mail, outcome.ticket_id)
    if mail["sender_verified"]:
        await replies.acknowledge(
            uow.connection, mail_id, replies.Thread.of_kept(mail), ticket_id=outcome.ticket_id,
            joined=outcome.status == "joined", site=await rows.site_name(uow.connection, site_code),
            incomplete=mail["size"] > settings.mail_max_bytes, settings=settings, now=now,
        )  # fmt: skip
    return outcome


async def add_to_ticket(uow: UnitOfWork, mail_id: UUID, *, ticket_id: str, actor: str, now: datetime) -> Outcome:
    mail = await _waiting(uow, mail_id)
    site = await rows.ticket_site(uow.connection, ticket_id)
    if site is None:
        raise TriageRefused("unknown_ticket", f"intake has no ticket {ticket_id!r}")
    uow.publish(
        customer_wrote(
            ticket_id, site, words=mail["words"], subject=mail["subject"], sender=mail["sender"],
            sender_name=mail["sender_name"], verified=mail["sender_verified"], mail_id=mail_id, at=now,
        ),
        correlation_id=ticket_id,
    )  # fmt: skip
    outcome = Outcome("noted", "operator", site, ticket_id)
    await rows.settle(uow.connection, mail_id, **_triaged(outcome, actor, now))
    await _send_photos(uow, mail, ticket_id)
    return outcome


async def dismiss(uow: UnitOfWork, mail_id: UUID, *, reason: str, actor: str, now: datetime) -> Outcome:
    mail = await _waiting(uow, mail_id)
    outcome = Outcome("dismissed", reason, mail["site_code"], None)
    await rows.settle(uow.connection, mail_id, **_triaged(outcome, actor, now))
    return outcome


async def _waiting(uow: UnitOfWork, mail_id: UUID) -> dict[str, Any]:
    mail = await rows.mail(uow.connection, mail_id, for_update=True)
    if mail is None:
        raise TriageRefused("unknown_mail", f"no mail {mail_id}")
    if mail["status"] not in WAITING:
        raise TriageRefused(
            "already_placed",
            f"mail {mail_id} is {mail['status']}" + (f" ({mail['ticket_id']})" if mail["ticket_id"] else ""),
        )
    return mail


async def _send_photos(uow: UnitOfWork, mail: dict[str, Any], ticket_id: str) -> None:
    """The photos kept of the mail become the ticket's, as if it had been placed when it came."""
    await files.send_photos(
        uow, mail["mail_id"], ticket_id, sender=mail["sender"], sender_name=mail["sender_name"],
        received_at=mail["received_at"],
    )  # fmt: skip


def _reported(mail: dict[str, Any], settings: IntakeSettings, now: datetime) -> datetime:
    """When the customer wrote: the mail's arrival, unless it waited longer than a report may be old (its
    clocks then start when the operator makes it a ticket, rather than the ticket being refused)."""
    arrived: datetime = mail["received_at"]
    return arrived if now - arrived < settings.max_report_age else now


def _triaged(outcome: Outcome, actor: str, now: datetime) -> dict[str, Any]:
    return {
        "status": outcome.status, "why": outcome.why, "site_code": outcome.site_code, "ticket_id": outcome.ticket_id,
        "handled_by": actor, "handled_at": now,
    }  # fmt: skip
