"""The notices decided: each event dispatch hears on its queue `dispatch.notices` becomes notices
(domain/notice_rules.py), each published as `notice.decided` through the outbox, in the transaction
that records the event in the inbox. The notify service tells the people; the event delivered twice, or
two events that tell the same thing, reach each person once there (the notice's key)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.notices.domain import notice_rules as rules
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
    TicketLinked,
    TicketNoted,
    TicketPaged,
)
from shared.messaging.failures import NotYet
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.settings import ServiceSettings

E = TypeVar("E", bound=Event)

# What the notices are told of a ticket: its site, subsystem, priority and engineer, the fields of
# TicketFacts (None: no such ticket yet). The tickets' area answers it (app.py), not these modules.
FactsOf = Callable[[AsyncConnection, str], Awaitable[Mapping[str, Any] | None]]
# Whether each engineer is on shift or on call at a moment: the roster's answer (app.py).
DutyOf = Callable[[AsyncConnection, list[str], datetime], Awaitable[Mapping[str, bool]]]


def notice_handlers(facts_of: FactsOf, duty_of: DutyOf) -> Callable[[ServiceSettings], MessageHandlers]:
    """The events that tell people something, each read with what `facts_of` says of its ticket."""
    return functools.partial(_notice_handlers, facts_of=facts_of, duty_of=duty_of)


def _notice_handlers(settings: ServiceSettings, *, facts_of: FactsOf, duty_of: DutyOf) -> MessageHandlers:
    handlers = MessageHandlers()

    def about_ticket(event_type: type[E], decide: Callable[[E, rules.TicketFacts], list[rules.Notice]]) -> None:
        async def handle(message: Envelope[E], uow: UnitOfWork) -> None:
            ticket_id = cast(str, getattr(message.payload, "ticket_id"))  # noqa: B009 - every event here has one
            facts = await facts_of(uow.connection, ticket_id)
            if facts is None:  # its ticket.opened waits on dispatch's other queue: tried again later
                raise NotYet(f"{ticket_id}: dispatch has not taken in this ticket yet")
            notices = decide(message.payload, rules.TicketFacts(**facts))
            now = datetime.now(UTC)
            on_duty = await duty_of(uow.connection, sorted(rules.engineers_named(notices)), now)
            for notice in notices:
                uow.publish(rules.decided(notice, on_duty, now))

        handlers.on(event_type)(handle)

    about_ticket(TicketAssigned, rules.on_assigned)
    about_ticket(SlaWarning, rules.on_sla_warning)
    about_ticket(SlaBreached, rules.on_sla_breached)
    about_ticket(SlaVendorBreached, rules.on_vendor_breached)
    about_ticket(TicketAwaitingAssignment, rules.on_awaiting_assignment)
    about_ticket(FollowUpDue, rules.on_follow_up_due)
    about_ticket(FollowUpMissed, rules.on_follow_up_missed)
    about_ticket(FollowUpRecorded, rules.on_follow_up_recorded)
    about_ticket(TicketNoted, rules.on_ticket_noted)
    about_ticket(TicketLinked, rules.on_ticket_linked)
    about_ticket(TicketPaged, rules.on_paged)
    return handlers
