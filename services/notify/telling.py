"""Notifications to people, recorded: each notice decided (`notice.decided`, from dispatch; or a paused
webhook's, decided here) becomes one notification per person and channel, written in the same
transaction as the inbox's record of the event. The sender (sender.py) sends them. The event delivered
twice, or two events that tell the same thing, reach each person once (the notice's key)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notify.db import repository as rows
from services.notify.domain.notice_texts import Names, render
from services.notify.domain.notices import Channel, Reachable, parse_quiet_hours, preferences_from, send_after
from services.notify.domain.paused_webhooks import mail_flood_notice, paused_webhook_notice
from services.notify.settings import NotifySettings
from shared.contracts import Envelope, SiteDescribed
from shared.contracts.notices import Audience, NoticeDecided, NoticeKind, Recipient
from shared.contracts.tickets import MailFloodHeld
from shared.contracts.webhooks import WebhookPaused
from shared.logs import get_logger
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.settings import ServiceSettings

log = get_logger(__name__)


def link(console_url: str, notice: NoticeDecided, recipient: Recipient) -> str | None:
    """Where the notice leads in the console: an engineer to the ticket on their phone, the office to
    the ticket's page, a subscription's owner to their systems."""
    base = console_url.rstrip("/")
    if notice.ticket_id is None:
        return {NoticeKind.WEBHOOK_PAUSED: f"{base}/hooks", NoticeKind.MAIL_FLOOD: f"{base}/mail"}.get(notice.kind)
    page = "field/tickets" if recipient.audience is Audience.ENGINEER else "tickets"
    return f"{base}/{page}/{notice.ticket_id}"


async def tell(
    connection: AsyncConnection,
    notice: NoticeDecided,
    *,
    caused_by: UUID,
    now: datetime,
    console_url: str,
    mail: bool = True,
    wecom: bool = True,
) -> int:
    """Record a notification for every person and channel the notice reaches; returns how many are new.
    Without a mail server (`mail`), e-mail is nobody's default channel, nor WeCom without its application
    (`wecom`), so that people are told otherwise."""
    added = 0
    names = await names_of(connection, notice.site_code)
    for recipient in notice.recipients:
        people = await rows.audience(connection, recipient.audience, notice.site_code, recipient.who)
        if not people:
            log.warning("nobody to tell", kind=notice.kind, audience=recipient.audience, site=notice.site_code)
            added += await _record(connection, notice, recipient, None, caused_by, now, console_url, names)
        for person in people:
            added += await _record(
                connection, notice, recipient, person, caused_by, now, console_url, names, mail=mail, wecom=wecom
            )
    return added


async def names_of(connection: AsyncConnection, site_code: str | None) -> Names:
    """What people call the site and its subsystems, as intake last described them (none yet: codes)."""
    site = await rows.site(connection, site_code)
    if site is None:
        return Names()
    return Names({"name": site.name, "local_name": site.local_name}, site.subsystems or {})


async def keep_site(connection: AsyncConnection, described: SiteDescribed, at: datetime) -> None:
    subsystems = (
        {s.code: {"name": s.name, "local_name": s.local_name} for s in described.subsystems}
        if described.subsystems is not None
        else None
    )
    await rows.describe_site(
        connection,
        {"code": described.site_code, "name": described.name, "local_name": described.local_name,
         "subsystems": subsystems, "described_at": at},
    )  # fmt: skip


async def _record(
    connection: AsyncConnection,
    notice: NoticeDecided,
    recipient: Recipient,
    person: Row[Any] | None,
    caused_by: UUID,
    now: datetime,
    console: str,
    names: Names,
    *,
    mail: bool = True,
    wecom: bool = True,
) -> int:
    common = {
        "notice_key": notice.notice_key, "kind": notice.kind.value, "ticket_id": notice.ticket_id,
        "site_code": notice.site_code, "urgent": notice.urgent, "caused_by": caused_by, "created_at": now,
    }  # fmt: skip
    if person is None:  # recorded so that the ticket shows nobody was told, and why
        whom = recipient.who or recipient.audience.value
        why = f"nobody to tell: no contact for {whom}" + (f" at {notice.site_code}" if notice.site_code else "")
        text = render(notice.kind, notice.facts, language="zh", timezone="Asia/Shanghai", link=None, names=names)
        row = {**common, "username": f"({whom})", "channel": "none", "subject": text.subject, "body": text.body,
               "status": "failed", "last_error": why, "send_after": now}  # fmt: skip
        return int(await rows.add_notification(connection, row))
    where = link(console, notice, recipient)
    text = render(
        notice.kind, notice.facts, language=person.language, timezone=person.timezone, link=where, names=names
    )
    quiet = parse_quiet_hours(person.quiet_hours) if person.quiet_hours else None
    due = send_after(now, quiet, person.timezone, urgent=notice.urgent, on_duty=recipient.on_duty is True)
    reach = Reachable(email=person.email if mail else None, phone=person.phone, robot_url=person.robot_url,
                      wecom_userid=person.wecom_userid if wecom else None)  # fmt: skip
    added = 0
    for choice in preferences_from(person.channels).channels_for(notice.kind, reach, urgent=notice.urgent):
        why_not = choice.why_not
        if choice.channel is Channel.EMAIL and person.email and not mail:
            why_not = "no mail server is configured (NOTIFY_SMTP_HOST)"
        if choice.channel is Channel.WECOM and person.wecom_userid and not wecom:
            why_not = "WeCom application messages are not configured (NOTIFY_WECOM_CORP_ID)"
        row = {
            **common, "username": person.username, "channel": choice.channel.value, "address": choice.address,
            "subject": text.subject, "body": text.body, "send_after": due,
            "status": "failed" if why_not else "pending", "last_error": why_not,
        }  # fmt: skip
        added += int(await rows.add_notification(connection, row))
    return added


def notice_handlers(settings: ServiceSettings) -> MessageHandlers:
    """The notices decided elsewhere, the paused webhooks whose owners are to be told, and the sites'
    descriptions (the names notices use)."""
    notify = cast(NotifySettings, settings)
    handlers = MessageHandlers()

    async def _tell(uow: UnitOfWork, notice: NoticeDecided, message: Envelope[Any]) -> None:
        await tell(
            uow.connection, notice, caused_by=message.message_id, now=datetime.now(UTC),
            console_url=notify.console_url, mail=bool(notify.smtp_host), wecom=notify.wecom_configured,
        )  # fmt: skip

    @handlers.on(NoticeDecided)
    async def on_notice_decided(message: Envelope[NoticeDecided], uow: UnitOfWork) -> None:
        await _tell(uow, message.payload, message)

    @handlers.on(SiteDescribed)
    async def on_site_described(message: Envelope[SiteDescribed], uow: UnitOfWork) -> None:
        await keep_site(uow.connection, message.payload, message.occurred_at)

    @handlers.on(MailFloodHeld)
    async def on_mail_flood_held(message: Envelope[MailFloodHeld], uow: UnitOfWork) -> None:
        await _tell(uow, mail_flood_notice(message.payload), message)

    @handlers.on(WebhookPaused)
    async def on_webhook_paused(message: Envelope[WebhookPaused], uow: UnitOfWork) -> None:
        await _tell(uow, paused_webhook_notice(message.payload), message)

    return handlers
