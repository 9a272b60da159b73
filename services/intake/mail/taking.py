"""What a mail to the service mailbox becomes, decided in the transaction that keeps it:

- a machine's mail (an auto-reply, a bounce, a list) or one from the hotline's own addresses: kept,
  `ignored`, never answered (never a loop);
- a reply about a ticket (a reference to a mail the suite sent about it, or its number in the subject
  from someone its site knows): the customer's comment on that ticket (`ticket.customer_wrote`), `noted`;
- more mails from one sender within the hour than `mail_group_after`: noted on the sender's latest
  ticket rather than opening another (`grouped`); more than `mail_throttle_after`: kept only
  (`throttled`), for the operator to look at;
- a new mail from a site's known address or domain, or naming a site code: a ticket with channel `email`
  (`opened`; `joined` when it repeats an open report), its subsystem and device from its words;
- anything else: `unmatched`, with why, for the operator to triage from the console (never lost).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from services.intake.domain.classification import classify
from services.intake.domain.requests import RequestRefused
from services.intake.mail import replies
from services.intake.mail import repository as rows
from services.intake.mail.domain.matching import (
    SiteDirectory,
    device_named,
    match_site,
    suggest_subsystem,
    tickets_referenced,
)
from services.intake.mail.domain.reading import Mail, ReadingLimits, read_mail
from services.intake.mail.files import keep_files
from services.intake.mail.mailbox_contract import MailboxPosition, RawMail, Take
from services.intake.settings import IntakeSettings
from services.intake.submission import submit
from shared.contracts import (
    ABOUT_THE_SERVICE,
    MailFloodHeld,
    Priority,
    Reporter,
    RequestChannel,
    ServiceKind,
    SubmitServiceRequest,
    TicketCustomerWrote,
)
from shared.contracts.intake import MAX_DESCRIPTION
from shared.mail_references import OWN_REFERENCE
from shared.messaging.unit_of_work import UnitOfWork

FLOOD_WINDOW = timedelta(hours=1)
OPENING = frozenset({"opened", "joined"})  # what the sender is told of by an acknowledgement
PLACED = frozenset({"opened", "joined", "noted", "grouped"})  # on a ticket of the sender's own
SENT_AT_TRUSTED_WITHIN = timedelta(days=1)  # a mail's Date further from its arrival is the sender's clock


@dataclass(frozen=True)
class Outcome:
    status: str  # opened, joined, noted, grouped, throttled, unmatched, ignored
    why: str
    site_code: str | None = None
    ticket_id: str | None = None


def taker(settings: IntakeSettings) -> Take:
    """The mailbox worker's hand-over: each mail taken as `take_mail` decides, now."""

    async def take(uow: UnitOfWork, raw: RawMail, position: MailboxPosition) -> None:
        await take_mail(uow, raw, mailbox=position.mailbox, settings=settings, now=datetime.now(UTC))

    return take


async def take_mail(
    uow: UnitOfWork, raw: RawMail, *, mailbox: str, settings: IntakeSettings, now: datetime
) -> Outcome | None:
    """Keep the mail and act on it; None if a mail of its Message-ID was taken before (from any mailbox).
    The mail's moment is when the mailbox received it (a backlog read days later keeps its own time)."""
    mail = read_mail(raw.data, limits=ReadingLimits(), complete=raw.complete)
    await rows.serialise_on(uow.connection, mail.message_id)  # the same mail in two mailboxes at once
    if await rows.known(uow.connection, mail.message_id):
        return None
    mail_id, arrived = uuid4(), min(raw.arrived_at or now, now)
    outcome = await _decide(uow, mail, mail_id, settings, arrived)
    await rows.add(uow.connection, {**_kept(mail, raw, mail_id, mailbox, arrived), **asdict(outcome)})
    await keep_files(uow, mail_id, mail, outcome, now=arrived)  # its photos to its ticket; the rest for the office
    if outcome.status in OPENING and outcome.ticket_id and outcome.site_code:
        await replies.acknowledge(
            uow.connection, mail_id, replies.Thread.of(mail), ticket_id=outcome.ticket_id,
            joined=outcome.status == "joined", site=await rows.site_name(uow.connection, outcome.site_code),
            incomplete=not raw.complete, settings=settings, now=now,
        )  # fmt: skip
    return outcome


async def _decide(uow: UnitOfWork, mail: Mail, mail_id: UUID, settings: IntakeSettings, now: datetime) -> Outcome:
    connection, sender = uow.connection, mail.sender.email
    if mail.automatic:
        return Outcome("ignored", mail.automatic)
    if not sender:  # a From that could not be read is the operator's; none at all, a machine's
        unreadable = any(p.startswith("bad_address:from") for p in mail.problems)
        return Outcome("unmatched", "bad_sender") if unreadable else Outcome("ignored", "no_sender")
    if sender in settings.own_addresses or OWN_REFERENCE.fullmatch(mail.message_id):
        return Outcome("ignored", "our_own")  # the hotline's or notify's own mail come back: never a loop
    recent = await rows.recent_from(connection, sender, now - FLOOD_WINDOW, now)
    if len(recent) >= settings.mail_throttle_after:  # before anything else: a flood of replies is a flood
        if len(recent) == settings.mail_throttle_after:  # the first held back: the managers hear of it once
            site = next((m["site_code"] for m in recent if m["site_code"]), None)
            held = MailFloodHeld(sender=sender, site_code=site, count=len(recent) + 1, held_at=now)
            uow.publish(held, correlation_id=f"mail-flood:{sender}")  # notify tells the managers
        return Outcome("throttled", "flood")  # how many, the list of the sender's mails shows
    if not mail.sender_verified:  # a forged From would open tickets in a known contact's name
        return Outcome("unmatched", "sender_unverified")
    directory = SiteDirectory(await rows.addresses_by_site(connection), frozenset(settings.own_domains))
    answered = await _ticket_answered(connection, mail, directory)
    if answered is not None:
        return answered if answered.status == "unmatched" else await _note(uow, mail, mail_id, answered, now)
    latest = next((m for m in recent if m["ticket_id"] and m["status"] in PLACED), None)
    if len(recent) >= settings.mail_group_after and latest is not None:
        site = await rows.ticket_site(connection, latest["ticket_id"])
        grouped = Outcome("grouped", "flood", site, latest["ticket_id"])
        return await _note(uow, mail, mail_id, grouped, now)
    matched = match_site(sender, mail.subject, directory, await rows.site_codes(connection))
    if matched.site_code is None:
        return Outcome("unmatched", matched.how)
    return await open_ticket(uow, mail, matched.site_code, settings, now, how=matched.how)


async def _ticket_answered(connection: Any, mail: Mail, directory: SiteDirectory) -> Outcome | None:
    """The ticket the mail answers, if intake knows it: only from its reporter or someone its site knows
    (a reference or a number is easily made up: a stranger's waits for the operator)."""
    references = [r for r in (mail.in_reply_to, *mail.references) if r]
    sender = mail.sender.email
    for ticket_id, how in tickets_referenced(mail.subject, references):
        site = await rows.ticket_site(connection, ticket_id)
        if site is None:
            continue
        known = site in directory.sites_of_address(sender) | directory.sites_of_domain(sender.rpartition("@")[2])
        if not known and sender != await rows.reporter_address(connection, ticket_id):
            return Outcome("unmatched", "ticket_named_by_stranger", site, ticket_id)
        return Outcome("noted", how, site, ticket_id)
    return None


async def open_ticket(
    uow: UnitOfWork, mail: Mail, site_code: str, settings: IntakeSettings, now: datetime, *, how: str
) -> Outcome:
    """A ticket of the mail's words at the site, its subsystem and device as the words name them."""
    connection = uow.connection
    words = f"{mail.subject}\n{mail.words}".strip()
    subsystem = suggest_subsystem(words, await rows.subsystems_of(connection, site_code))
    if subsystem is None and classify(words) not in ABOUT_THE_SERVICE:
        return Outcome("unmatched", "no_subsystem", site_code)
    devices = [d for d in await rows.devices_of(connection, site_code) if d["subsystem"] == subsystem]
    request = request_for(
        site_code, subsystem, device_named(words, devices), message_id=mail.message_id, subject=mail.subject,
        words=mail.words, sender=mail.sender.email, sender_name=mail.sender.name, reported_at=_reported_at(mail, now),
    )  # fmt: skip
    return await submit_mail(uow, request, settings, now, how=how)


def request_for(
    site_code: str,
    subsystem: str | None,
    asset_tag: str | None,
    *,
    message_id: str,
    subject: str,
    words: str,
    sender: str,
    sender_name: str,
    reported_at: datetime,
    kind: ServiceKind | None = None,
    priority: Priority = Priority.NORMAL,
) -> SubmitServiceRequest:
    """The service request a mail makes: its subject and words, its sender as the reporter; its request id
    from its Message-ID, so that the same mail never opens two tickets."""
    return SubmitServiceRequest(
        request_id=f"mail:{hashlib.sha256(message_id.encode()).hexdigest()[:40]}",
        site_code=site_code,
        subsystem=subsystem,
        asset_tag=asset_tag,
        description=f"{subject}\n{words}".strip()[:MAX_DESCRIPTION] or sender,
        channel=RequestChannel.EMAIL,
        reporter=Reporter(name=(sender_name or sender or "(未知发件人)")[:100], email=sender[:254] or None),
        reported_at=reported_at,
        kind=kind,
        priority=priority,
    )


async def submit_mail(
    uow: UnitOfWork, request: SubmitServiceRequest, settings: IntakeSettings, now: datetime, *, how: str
) -> Outcome:
    """Open the mail's ticket (or join the open one it repeats); a refusal makes it unmatched, with why."""
    try:
        async with uow.connection.begin_nested():  # a refusal leaves the mail's own transaction whole
            submitted = await submit(
                uow, request, now=now, duplicate_window=settings.duplicate_window,
                max_report_age=settings.max_report_age,
            )  # fmt: skip
    except RequestRefused as refused:
        return Outcome("unmatched", refused.reason, request.site_code)
    if submitted.created:
        return Outcome("opened", how, request.site_code, submitted.ticket_id)
    return Outcome("joined", submitted.joined_because or how, request.site_code, submitted.ticket_id)


async def _note(uow: UnitOfWork, mail: Mail, mail_id: UUID, outcome: Outcome, now: datetime) -> Outcome:
    """The mail's words as the customer's comment on the outcome's ticket."""
    assert outcome.ticket_id is not None, "a note is on a ticket"
    assert outcome.site_code is not None, "a ticket is at a site"
    uow.publish(
        customer_wrote(
            outcome.ticket_id, outcome.site_code, words=mail.words, subject=mail.subject, sender=mail.sender.email,
            sender_name=mail.sender.name, verified=mail.sender_verified, mail_id=mail_id, at=now,
        ),
        correlation_id=outcome.ticket_id,
    )  # fmt: skip
    return outcome


def customer_wrote(
    ticket_id: str,
    site_code: str,
    *,
    words: str,
    subject: str,
    sender: str,
    sender_name: str,
    verified: bool,
    mail_id: UUID,
    at: datetime,
) -> TicketCustomerWrote:
    return TicketCustomerWrote(
        ticket_id=ticket_id, site_code=site_code, text=words or subject or "-", author=(sender_name or sender)[:200],
        address=sender or None, channel=RequestChannel.EMAIL, verified=verified, mail_id=str(mail_id), written_at=at,
    )  # fmt: skip


def _reported_at(mail: Mail, now: datetime) -> datetime:
    """When the customer wrote: the mail's Date when it is plausible, else its arrival."""
    sent = mail.sent_at
    return sent if sent is not None and now - SENT_AT_TRUSTED_WITHIN <= sent <= now else now


def _kept(mail: Mail, raw: RawMail, mail_id: UUID, mailbox: str, now: datetime) -> dict[str, Any]:
    problems = mail.problems  # a mail fetched without its body (too big) says `incomplete` among them
    return {
        "mail_id": mail_id, "message_id": mail.message_id, "mailbox": mailbox, "received_at": now,
        "sent_at": mail.sent_at, "sender": mail.sender.email, "sender_name": mail.sender.name,
        "sender_verified": mail.sender_verified, "reply_to": mail.reply_to.email if mail.reply_to else None,
        "subject": mail.subject, "words": mail.words,
        "references": list(dict.fromkeys(r for r in (*mail.references, mail.in_reply_to) if r)),  # oldest first
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size, "photo": a.is_photo,
             "refused": a.refused_because}
            for a in mail.attachments
        ],
        "problems": list(problems), "size": raw.size,
    }  # fmt: skip
