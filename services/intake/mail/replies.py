"""The hotline's acknowledgements: the sender of a mail that opened a ticket (or joined an open one) is
told its number, in Chinese, from a template (templates/acknowledgement.zh.txt). The reply is threaded
under their mail (In-Reply-To, References), says it was sent by a machine (`Auto-Submitted:
auto-replied`, which well-behaved auto-responders do not answer), and its Message-ID names the ticket,
so that their reply to it joins that ticket. It is written in the transaction that took the mail and
sent by whichever intake process claims it first (a lease), tried again until given up."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, cast

import jinja2
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.mail.domain.keeping import MAX_FILES_BYTES, MAX_PHOTOS
from services.intake.mail.domain.reading import Mail, ReadingLimits
from services.intake.mail.tables import mail_replies, mails
from services.intake.settings import IntakeSettings
from shared import outgoing_mail
from shared.background import PollingLoop
from shared.backoff import next_attempt
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=False,  # plain text  # noqa: S701
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
MAX_REFERENCES = 20  # the thread's latest; RFC 5322 lets a client trim the middle of a long one
GIVE_UP_AFTER = timedelta(hours=12)
LEASE = timedelta(minutes=2)
MB = 1024 * 1024


@dataclass(frozen=True)
class Thread:
    """The mail an acknowledgement answers: whom to, and what to thread it under."""

    to: str
    name: str
    subject: str
    message_id: str
    references: tuple[str, ...]

    @classmethod
    def of(cls, mail: Mail) -> Thread:
        """To the sender, never to a Reply-To: anyone may write one (on a public mail service, of the same
        domain as anyone), and the hotline would mail whomever it names."""
        to = mail.sender.email
        earlier = tuple(r for r in (*mail.references, mail.in_reply_to) if r)
        return cls(to, mail.sender.name, mail.subject, mail.message_id, tuple(dict.fromkeys(earlier)))

    @classmethod
    def of_kept(cls, kept: dict[str, Any]) -> Thread:
        """From the mail as the hotline keeps it (repository.mail)."""
        return cls(kept["sender"], kept["sender_name"], kept["subject"], kept["message_id"], tuple(kept["references"]))


@dataclass(frozen=True)
class NotKept:
    """A file of the mail the hotline did not keep, and why (the reasons of domain/keeping.py)."""

    filename: str
    why: str


def acknowledgement(
    thread: Thread, *, ticket_id: str, joined: bool, site: str, settings: IntakeSettings, now: datetime,
    not_kept: Sequence[NotKept] = (), incomplete: bool = False,
) -> EmailMessage:  # fmt: skip
    """The reply that tells the sender their ticket's number, threaded under their mail, and which of their
    files were not kept and why (so that they can send them otherwise)."""
    reply = EmailMessage()
    reply["From"], reply["To"] = settings.mail_from, thread.to
    reply["Subject"] = f"[工单 {ticket_id}] 已受理：{thread.subject}"[:200]
    reply["Date"] = format_datetime(now)
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "aftercare"
    reply["Message-ID"] = outgoing_mail.message_id("ack", ticket_id, domain)
    reply["In-Reply-To"] = thread.message_id
    reply["References"] = " ".join([*thread.references, thread.message_id][-MAX_REFERENCES:])
    reply["Auto-Submitted"] = "auto-replied"  # RFC 3834: never answered by a machine
    reply["X-Auto-Response-Suppress"] = "All"  # Exchange and Outlook: no out-of-office to this
    body = TEMPLATES.get_template("acknowledgement.zh.txt").render(
        name=thread.name or thread.to, joined=joined, ticket_id=ticket_id, site=site,
        hotline=settings.mail_hotline_name, not_kept=not_kept, max_photos=MAX_PHOTOS, incomplete=incomplete,
        max_mail_mb=settings.mail_max_bytes // MB,
        max_file_mb=ReadingLimits().max_attachment_bytes // MB, max_files=ReadingLimits().max_attachments,
        max_files_mb=MAX_FILES_BYTES // MB,
    )  # fmt: skip
    reply.set_content(body, charset="utf-8")
    return reply


async def acknowledge(
    connection: AsyncConnection, mail_id: Any, thread: Thread, *, ticket_id: str, joined: bool, site: str,
    settings: IntakeSettings, now: datetime, incomplete: bool = False,
) -> None:  # fmt: skip
    """Queue the acknowledgement of a mail that opened (or joined) a ticket, if the hotline sends them."""
    if not settings.mail_acknowledge or not thread.to:
        return
    listed = await connection.scalar(select(mails.c.attachments).where(mails.c.mail_id == mail_id))
    not_kept = [NotKept(" ".join(a["filename"].split()), a["refused"]) for a in listed or () if a.get("refused")]
    reply = acknowledgement(
        thread,
        ticket_id=ticket_id,
        joined=joined,
        site=site,
        settings=settings,
        now=now,
        not_kept=not_kept,
        incomplete=incomplete,
    )
    await queue(connection, mail_id, ticket_id, reply, now)


async def queue(connection: AsyncConnection, mail_id: Any, ticket_id: str, reply: EmailMessage, now: datetime) -> None:
    await connection.execute(
        mail_replies.insert().values(
            mail_id=mail_id, ticket_id=ticket_id, to_address=str(reply["To"]), message=reply.as_string(),
            status="pending", created_at=now, send_after=now,
        )
    )  # fmt: skip


class ReplySender(PollingLoop):
    """Sends the acknowledgements due, outside any transaction, and records how each went."""

    task_name = "mail reply sender"

    def __init__(self, database: ServiceDatabase, settings: IntakeSettings) -> None:
        super().__init__(settings.mail_reply_tick_seconds)
        self.database = database
        self.settings = settings

    async def poll(self, now: datetime) -> None:
        await self.send_due(now)

    async def send_due(self, now: datetime, limit: int = 20) -> int:
        async with self.database.engine.begin() as connection:
            due = await _claim(connection, now, limit)
        if not due:
            return 0
        server = self.settings.mail_server()
        failures = await asyncio.gather(*(self._send(row, server) for row in due))
        async with self.database.engine.begin() as connection:
            for row, failure in zip(due, failures, strict=True):
                await _record(connection, row, failure, now)
        return len(due)

    async def _send(self, row: Any, server: outgoing_mail.MailServer | None) -> Failure | None:
        if server is None:
            return Failure("no mail server is configured (INTAKE_SMTP_HOST)", final=True)
        reply = message_from_string(row.message, policy=policy.default)
        try:
            await outgoing_mail.send(reply, server, recipients=[row.to_address])  # one, whatever the headers say
        except outgoing_mail.MailNotSent as refused:
            return Failure(refused.reason)
        return None


@dataclass(frozen=True)
class Failure:
    reason: str
    final: bool = False  # trying again will not help


async def _claim(connection: AsyncConnection, now: datetime, limit: int) -> list[Any]:
    due = (
        select(mail_replies.c.id)
        .where(mail_replies.c.status.in_(("pending", "sending")), mail_replies.c.send_after <= now)
        .order_by(mail_replies.c.send_after)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = (
        update(mail_replies)
        .where(mail_replies.c.id.in_(due))
        .values(status="sending", send_after=now + LEASE)
        .returning(mail_replies)
    )
    return list(await connection.execute(claimed))


async def _record(connection: AsyncConnection, row: Any, failure: Failure | None, now: datetime) -> None:
    attempts = row.attempts + 1
    if failure is None:
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": None}
    else:
        again = None if failure.final else next_attempt(attempts, row.created_at, now, GIVE_UP_AFTER)
        values = {"status": "pending" if again else "failed", "send_after": again or now, "last_error": failure.reason}
    await connection.execute(
        update(mail_replies).where(mail_replies.c.id == row.id).values(attempts=attempts, **values)
    )


def reply_sender(database: ServiceDatabase, settings: ServiceSettings) -> ReplySender:
    return ReplySender(database, cast(IntakeSettings, settings))
