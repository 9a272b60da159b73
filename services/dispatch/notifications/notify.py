"""Notifications to people, decided: each event dispatch hears on its own queue `dispatch.notices`
becomes notices (domain/notice_rules.py), and each notice one notification per person and channel,
written in the same transaction as the inbox's record of the event. The sender (sender.py) sends them.
The event delivered twice, or two events that tell the same thing, reach each person once."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.notifications import repository as rows
from services.dispatch.notifications.domain import notice_rules as rules
from services.dispatch.notifications.domain.notice_texts import render
from services.dispatch.notifications.domain.notices import (
    Audience,
    Channel,
    Notice,
    Reachable,
    parse_quiet_hours,
    preferences_from,
    send_after,
)
from services.dispatch.settings import DispatchSettings
from shared.contracts import (
    Envelope,
    Event,
    FollowUpDue,
    FollowUpMissed,
    FollowUpRecorded,
    SlaBreached,
    SlaVendorBreached,
    SlaWarning,
    TicketAssigned,
    TicketAwaitingAssignment,
)
from shared.contracts.webhooks import WebhookPaused
from shared.logs import get_logger
from shared.messaging.failures import NotYet
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.settings import ServiceSettings

log = get_logger(__name__)

E = TypeVar("E", bound=Event)


def link(console_url: str, notice: Notice) -> str | None:
    """Where the notice leads in the console: an engineer to the ticket on their phone, the office to
    the ticket's page, a subscription's owner to their systems."""
    base = console_url.rstrip("/")
    if notice.ticket_id is None:
        return f"{base}/hooks" if notice.kind == "webhook_paused" else None
    page = "field/tickets" if notice.audience is Audience.ENGINEER else "tickets"
    return f"{base}/{page}/{notice.ticket_id}"


async def tell(
    connection: AsyncConnection,
    notices: list[Notice],
    *,
    caused_by: UUID,
    now: datetime,
    console_url: str,
    mail: bool = True,
) -> int:
    """Record a notification for every person and channel the notices reach; returns how many are new.
    Without a mail server (`mail`), e-mail is nobody's default channel, so that people are told otherwise."""
    added = 0
    for notice in notices:
        people = await rows.audience(connection, notice.audience, notice.site_code, notice.whom)
        if not people:
            log.warning("nobody to tell", kind=notice.kind, audience=notice.audience, site=notice.site_code)
            added += await _record(connection, notice, None, caused_by, now, console_url, mail)
        for person in people:
            added += await _record(connection, notice, person, caused_by, now, console_url, mail)
    return added


async def _record(
    connection: AsyncConnection,
    notice: Notice,
    person: Row[Any] | None,
    caused_by: UUID,
    now: datetime,
    console: str,
    mail: bool,
) -> int:
    common = {
        "notice_key": notice.key, "kind": notice.kind.value, "ticket_id": notice.ticket_id,
        "site_code": notice.site_code, "urgent": notice.urgent, "caused_by": caused_by, "created_at": now,
    }  # fmt: skip
    if person is None:  # recorded so that the ticket shows nobody was told, and why
        whom = notice.whom or notice.audience.value
        why = f"nobody to tell: no contact for {whom}" + (f" at {notice.site_code}" if notice.site_code else "")
        text = render(notice.kind, notice.facts, language="zh", timezone="Asia/Shanghai", link=None)
        row = {**common, "username": f"({whom})", "channel": "none", "subject": text.subject, "body": text.body,
               "status": "failed", "last_error": why, "send_after": now}  # fmt: skip
        return int(await rows.add_notification(connection, row))
    text = render(
        notice.kind, notice.facts, language=person.language, timezone=person.timezone, link=link(console, notice)
    )
    quiet = parse_quiet_hours(person.quiet_hours) if person.quiet_hours else None
    due = send_after(now, quiet, person.timezone, urgent=notice.urgent)
    reach = Reachable(email=person.email if mail else None, phone=person.phone, robot_url=person.robot_url)
    added = 0
    for choice in preferences_from(person.channels).channels_for(notice.kind, reach, urgent=notice.urgent):
        why_not = choice.why_not
        if choice.channel is Channel.EMAIL and person.email and not mail:
            why_not = "no mail server is configured (DISPATCH_SMTP_HOST)"
        row = {
            **common, "username": person.username, "channel": choice.channel.value, "address": choice.address,
            "subject": text.subject, "body": text.body, "send_after": due,
            "status": "failed" if why_not else "pending", "last_error": why_not,
        }  # fmt: skip
        added += int(await rows.add_notification(connection, row))
    return added


# What the notifications are told of a ticket: its site, subsystem, priority and engineer, the fields of
# TicketFacts (None: no such ticket yet). The tickets' area answers it (app.py), not these tables.
FactsOf = Callable[[AsyncConnection, str], Awaitable[Mapping[str, Any] | None]]


def notice_handlers(facts_of: FactsOf) -> Callable[[ServiceSettings], MessageHandlers]:
    """The events that tell people something, each read with what `facts_of` says of its ticket."""
    return functools.partial(_notice_handlers, facts_of=facts_of)


def _notice_handlers(settings: ServiceSettings, *, facts_of: FactsOf) -> MessageHandlers:
    dispatch = cast(DispatchSettings, settings)
    handlers = MessageHandlers()

    def about_ticket(event_type: type[E], decide: Callable[[E, rules.TicketFacts], list[Notice]]) -> None:
        async def handle(message: Envelope[E], uow: UnitOfWork) -> None:
            ticket_id = cast(str, getattr(message.payload, "ticket_id"))  # noqa: B009 - every event here has one
            facts = await facts_of(uow.connection, ticket_id)
            if facts is None:  # its ticket.opened waits on dispatch's other queue: tried again later
                raise NotYet(f"{ticket_id}: dispatch has not taken in this ticket yet")
            ticket = rules.TicketFacts(**facts)
            await _tell(uow, decide(message.payload, ticket), message)

        handlers.on(event_type)(handle)

    async def _tell(uow: UnitOfWork, notices: list[Notice], message: Envelope[Any]) -> None:
        now = datetime.now(UTC)
        await tell(
            uow.connection, notices, caused_by=message.message_id, now=now, console_url=dispatch.console_url,
            mail=bool(dispatch.smtp_host),
        )  # fmt: skip

    about_ticket(TicketAssigned, rules.on_assigned)
    about_ticket(SlaWarning, rules.on_sla_warning)
    about_ticket(SlaBreached, rules.on_sla_breached)
    about_ticket(SlaVendorBreached, rules.on_vendor_breached)
    about_ticket(TicketAwaitingAssignment, rules.on_awaiting_assignment)
    about_ticket(FollowUpDue, rules.on_follow_up_due)
    about_ticket(FollowUpMissed, rules.on_follow_up_missed)
    about_ticket(FollowUpRecorded, rules.on_follow_up_recorded)

    @handlers.on(WebhookPaused)
    async def on_webhook_paused(message: Envelope[WebhookPaused], uow: UnitOfWork) -> None:
        await _tell(uow, rules.on_webhook_paused(message.payload), message)

    return handlers
